create table shipments (
  id uuid primary key,
  order_id text not null unique,
  user_id text not null,
  status text not null check (status in ('created', 'dispatched', 'delivered', 'cancelled')),
  carrier text not null,
  tracking_number text not null unique,
  cost_amount bigint not null check (cost_amount >= 0),
  cost_currency text not null,
  weight_grams int not null check (weight_grams >= 0),
  destination_country text not null,
  estimated_days int not null,
  created_at timestamptz not null,
  -- the simulated carrier's plan, kept in the row so a restart resumes it
  dispatch_due_at timestamptz not null,
  deliver_due_at timestamptz not null,
  -- when the carrier next acts on the shipment; null once delivered or cancelled
  next_step_at timestamptz,
  dispatched_at timestamptz,
  delivered_at timestamptz,
  cancelled_at timestamptz
);

create index shipments_next_step_idx on shipments (next_step_at) where next_step_at is not null;
