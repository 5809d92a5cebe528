-- one score per order: the first answer is the answer, and each order counts once towards its user's velocity
create table scores (
  order_id text primary key,
  user_id text not null,
  amount bigint not null,
  currency text not null,
  score int not null check (score between 0 and 100),
  decision text not null check (decision in ('approve', 'review', 'reject')),
  reasons text[] not null,
  scored_at timestamptz not null default now()
);

create index scores_user_velocity_idx on scores (user_id, scored_at);
