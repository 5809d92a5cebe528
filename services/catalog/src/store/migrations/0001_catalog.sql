create table categories (
  id text primary key,
  name text not null,
  position int not null default 0
);

create table products (
  id text primary key check (id ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  name text not null,
  description text not null default '',
  price_amount bigint not null check (price_amount >= 0),
  price_currency char(3) not null default 'USD',
  category_id text not null references categories (id),
  image_url text not null,
  weight_grams int not null default 0 check (weight_grams >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  search tsvector generated always as (
    setweight(to_tsvector('english', name), 'A') || setweight(to_tsvector('english', description), 'B')
  ) stored
);

create index products_category_idx on products (category_id, name);
create index products_price_idx on products (price_amount, id);
create index products_created_idx on products (created_at desc, id);
create index products_search_idx on products using gin (search);
