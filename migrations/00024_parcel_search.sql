-- +goose Up
-- Search of parcels by 宗地代码, 权利人, 统一社会信用代码 and 项目名称 (GET /v1/search,
-- issue 16; docs/decisions.md "The bureau's map"): prefix and contains, Chinese text
-- included, served by trigram indexes. pg_trgm is a trusted extension (PostgreSQL 13+),
-- so the owner role creates it without superuser rights; under a UTF-8 ctype (C.UTF-8,
-- zh_CN.UTF-8) Chinese characters form trigrams like letters do.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX parcels_search_zddm ON parcels USING gin (zddm gin_trgm_ops);
CREATE INDEX parcels_search_holder_name ON parcels USING gin (holder_name gin_trgm_ops);
CREATE INDEX parcels_search_holder_uscc ON parcels USING gin (holder_uscc gin_trgm_ops);
CREATE INDEX parcels_search_project_name ON parcels USING gin (project_name gin_trgm_ops);

-- +goose Down
DROP INDEX parcels_search_project_name, parcels_search_holder_uscc, parcels_search_holder_name, parcels_search_zddm;
