-- "cafe" finds "Café", "creme brulee" finds "Crème Brûlée": words are unaccented before stemming.
create extension if not exists unaccent;

create text search configuration catalog_search (copy = english);
alter text search configuration catalog_search
  alter mapping for hword, hword_part, word with unaccent, english_stem;

drop index products_search_idx;
alter table products drop column search;
alter table products add column search tsvector generated always as (
  setweight(to_tsvector('catalog_search', name), 'A') || setweight(to_tsvector('catalog_search', description), 'B')
) stored;
create index products_search_idx on products using gin (search);
