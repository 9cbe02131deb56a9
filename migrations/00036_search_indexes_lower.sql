-- +goose Up
-- The search's trigram indexes (00024) on lower(column) rather than the column: pg_trgm's
-- GIN operator class also answers =, so a lookup of a parcel's holder by holder_uscc = x
-- could be planned on the trigram index instead of the btree parcels_holder. It was, in
-- any transaction that wrote many parcels and then looked holders up before a VACUUM
-- (the status timeline's upkeep of a bulk load does exactly that): with the GIN
-- metapage's counts from before the load, each probe was costed at almost nothing and
-- read the whole pending list instead, and a 200,000-parcel load spent its time there
-- (docs/decisions.md "The search's indexes answer the search alone"). Indexed on
-- lower(column), they serve lower(column) LIKE lower(pattern), which only the search
-- writes (store.SearchParcels); an equality on the column has the btree alone.
DROP INDEX parcels_search_zddm, parcels_search_holder_name, parcels_search_holder_uscc, parcels_search_project_name;
CREATE INDEX parcels_search_zddm ON parcels USING gin (lower(zddm) gin_trgm_ops);
CREATE INDEX parcels_search_holder_name ON parcels USING gin (lower(holder_name) gin_trgm_ops);
CREATE INDEX parcels_search_holder_uscc ON parcels USING gin (lower(holder_uscc) gin_trgm_ops);
CREATE INDEX parcels_search_project_name ON parcels USING gin (lower(project_name) gin_trgm_ops);

-- +goose Down
DROP INDEX parcels_search_zddm, parcels_search_holder_name, parcels_search_holder_uscc, parcels_search_project_name;
CREATE INDEX parcels_search_zddm ON parcels USING gin (zddm gin_trgm_ops);
CREATE INDEX parcels_search_holder_name ON parcels USING gin (holder_name gin_trgm_ops);
CREATE INDEX parcels_search_holder_uscc ON parcels USING gin (holder_uscc gin_trgm_ops);
CREATE INDEX parcels_search_project_name ON parcels USING gin (project_name gin_trgm_ops);
