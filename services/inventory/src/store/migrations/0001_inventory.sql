-- The current level of each product: a projection of stock_movements, changed in the same transaction.
create table stock_levels (
  product_id text primary key,
  on_hand int not null default 0,
  reserved int not null default 0,
  available int generated always as (on_hand - reserved) stored,
  -- availability is under the low-stock threshold: StockLow was emitted when this turned true
  low boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint stock_levels_on_hand_not_negative check (on_hand >= 0),
  constraint stock_levels_reserved_not_negative check (reserved >= 0),
  constraint stock_levels_reserved_within_on_hand check (reserved <= on_hand)
);

create table reservations (
  id uuid primary key,
  order_id text not null unique,
  status text not null check (status in ('active', 'committed', 'released', 'expired', 'returned')),
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index reservations_expiry_idx on reservations (expires_at) where status = 'active';

create table reservation_lines (
  reservation_id uuid not null references reservations (id),
  product_id text not null references stock_levels (product_id),
  quantity int not null check (quantity > 0),
  primary key (reservation_id, product_id)
);

-- The ledger: every change of stock, appended, never updated or deleted.
create table stock_movements (
  id bigint generated always as identity primary key,
  product_id text not null references stock_levels (product_id),
  kind text not null check (kind in ('initial', 'adjustment', 'reserved', 'released', 'expired', 'committed', 'returned')),
  -- signed for adjustments, positive for every other kind
  quantity int not null,
  reservation_id uuid references reservations (id),
  order_id text,
  on_hand_after int not null,
  reserved_after int not null,
  created_at timestamptz not null default now(),
  constraint stock_movements_quantity_sign check (
    (kind = 'adjustment' and quantity <> 0) or (kind <> 'adjustment' and quantity > 0)
  ),
  constraint stock_movements_reservation_kinds check ((kind in ('initial', 'adjustment')) = (reservation_id is null))
);

create index stock_movements_product_idx on stock_movements (product_id, id);
create index stock_movements_reservation_idx on stock_movements (reservation_id) where reservation_id is not null;

create function stock_movements_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'stock_movements is append-only: % refused', tg_op;
end
$$;

create trigger stock_movements_append_only
  before update or delete or truncate on stock_movements
  for each statement execute function stock_movements_append_only();

-- One row once the opening stock was taken from the catalog: seeding happens once, whatever came first.
create table stock_seeding (
  singleton boolean primary key default true check (singleton),
  products int not null,
  seeded_at timestamptz not null default now()
);
