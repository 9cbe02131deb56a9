-- Remediation projects (issue 15) exactly as /collections/remediation_projects serves them
-- and the map's remediation layer draws them (issue 15 item 7): each current project with
-- the union of its parcels' current geometry (a project without parcels has none), its
-- status and figures; the leading columns of every collection (docs/decisions.md,
-- "Collections are views"), the properties in the catalogue's order.
CREATE VIEW collection_remediation_projects AS
  SELECT r.id, r.version, r.valid_from, NULL::date AS valid_to,
    (SELECT ST_Multi(ST_CollectionExtract(ST_Union(p.geom), 3))::geometry(MultiPolygon, 4490)
     FROM remediation_project_parcels l JOIN parcels p ON p.id = l.parcel_id WHERE l.project_id = r.id) AS geom,
    json_build_object('id', r.id, 'xzqdm', r.xzqdm, 'town', r.town, 'name', r.name, 'method', r.method,
      'status', r.status, 'status_since', r.status_since, 'planned_mu', r.planned_mu, 'freed_mu', r.freed_mu,
      'planned_from', r.planned_from, 'planned_to', r.planned_to, 'block_renewal', r.block_renewal)::text AS props,
    r.xzqdm, r.town, r.name, r.method, r.status, r.status_since, r.planned_mu, r.freed_mu, r.planned_from, r.planned_to
  FROM remediation_projects r;

COMMENT ON VIEW collection_remediation_projects IS '低效用地整治项目（与 API 一致）/ remediation projects with the union of their parcels, as the API serves them';
