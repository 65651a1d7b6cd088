"""Run by QGIS's own Python (Debian's python3-qgis): open each table of a PostGIS database as QGIS's browser does.

The connection is what a user types in "New PostGIS connection"; every layer is built from
what QGIS itself lists of the table (its geometry column and type, its key column candidates),
with no setting of ours: a layer that needs setup comes out invalid, or without its points.
"""

import json
import sys

from qgis.core import QgsApplication, QgsDataSourceUri, QgsProviderRegistry, QgsVectorLayer, QgsWkbTypes

app = QgsApplication([], False)
app.initQgis()
host, port, dbname, user = sys.argv[1:5]
conn = QgsProviderRegistry.instance().providerMetadata("postgres").createConnection(
    f"dbname='{dbname}' host={host} port={port} user='{user}'", {})
out = {}
for table in conn.tables("public"):
    uri = QgsDataSourceUri(conn.uri())
    types = table.geometryColumnTypes()
    keys = list(table.primaryKeyColumns())
    uri.setDataSource("public", table.tableName(), table.geometryColumn() or "", "", keys[0] if keys else "")
    if table.geometryColumn():
        uri.setWkbType(types[0].wkbType)
        uri.setSrid(str(types[0].crs.postgisSrid()))
    layer = QgsVectorLayer(uri.uri(False), table.tableName(), "postgres")
    features = list(layer.getFeatures()) if layer.isValid() else []
    out[table.tableName()] = {
        "valid": layer.isValid(), "features": len(features), "counted": layer.featureCount(),
        "geometry": QgsWkbTypes.displayString(layer.wkbType()), "crs": layer.crs().authid(),
        "key": [layer.fields()[i].name() for i in layer.primaryKeyAttributes()],
        "first_point": [features[0].geometry().asPoint().x(), features[0].geometry().asPoint().y()]
        if features and table.geometryColumn() else None,
        "first_key": features[0][keys[0]] if features and keys else None,
    }
print(json.dumps(out))
app.exitQgis()
