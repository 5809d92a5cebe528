-- The inventory's invariants, read-only: every row is one violation; no rows means they all hold.
-- Per product: initial + adjustments = available + reserved + sold (sold = committed - returned), nothing
-- negative, the levels equal the ledger's sums, reserved equals the active reservations' lines.
-- Per reservation line: reserved once, closed (released, expired or committed) at most once, sold at most
-- once, returned at most once and only after it was sold.
-- Columns: product_id, order_id, violation, detail.
-- check: stock never negative and conserved (initial + adjustments = available + reserved + sold); each reservation line moved at most once
with ledger as (
  select product_id,
         coalesce(sum(quantity) filter (where kind = 'initial'), 0) as initial,
         coalesce(sum(quantity) filter (where kind = 'adjustment'), 0) as adjustments,
         coalesce(sum(quantity) filter (where kind = 'reserved'), 0) as reserved_in,
         coalesce(sum(quantity) filter (where kind in ('released', 'expired')), 0) as unreserved,
         coalesce(sum(quantity) filter (where kind = 'committed'), 0) as committed,
         coalesce(sum(quantity) filter (where kind = 'returned'), 0) as returned
    from stock_movements
   group by product_id
),
held as (
  select rl.product_id, sum(rl.quantity) as quantity
    from reservation_lines rl
    join reservations r on r.id = rl.reservation_id
   where r.status = 'active'
   group by rl.product_id
),
stock as (
  select l.product_id, l.on_hand, l.reserved, l.available,
         coalesce(g.initial, 0) as initial,
         coalesce(g.adjustments, 0) as adjustments,
         coalesce(g.committed, 0) - coalesce(g.returned, 0) as sold,
         coalesce(g.initial, 0) + coalesce(g.adjustments, 0) - coalesce(g.committed, 0)
           + coalesce(g.returned, 0) as ledger_on_hand,
         coalesce(g.reserved_in, 0) - coalesce(g.unreserved, 0) - coalesce(g.committed, 0) as ledger_reserved,
         coalesce(h.quantity, 0) as held
    from stock_levels l
    left join ledger g on g.product_id = l.product_id
    left join held h on h.product_id = l.product_id
),
lines as (
  select r.id as reservation_id, r.order_id, r.status, rl.product_id, rl.quantity,
         count(m.id) filter (where m.kind = 'reserved') as reserves,
         coalesce(sum(m.quantity) filter (where m.kind = 'reserved'), 0) as reserved,
         count(m.id) filter (where m.kind in ('released', 'expired', 'committed')) as closings,
         coalesce(sum(m.quantity) filter (where m.kind in ('released', 'expired', 'committed')), 0) as closed,
         count(m.id) filter (where m.kind = 'committed') as commits,
         count(m.id) filter (where m.kind = 'returned') as returns
    from reservations r
    join reservation_lines rl on rl.reservation_id = r.id
    left join stock_movements m on m.reservation_id = r.id and m.product_id = rl.product_id
   group by r.id, r.order_id, r.status, rl.product_id, rl.quantity
)
select product_id, null::text as order_id, 'stock not conserved' as violation,
       format('initial %s + adjustments %s <> available %s + reserved %s + sold %s',
              initial, adjustments, available, reserved, sold) as detail
  from stock where initial + adjustments <> available + reserved + sold
union all
select product_id, null, 'stock negative',
       format('on hand %s, reserved %s, available %s, sold %s', on_hand, reserved, available, sold)
  from stock where on_hand < 0 or reserved < 0 or available < 0 or sold < 0
union all
select product_id, null, 'level differs from ledger',
       format('level on hand %s, reserved %s; ledger on hand %s, reserved %s',
              on_hand, reserved, ledger_on_hand, ledger_reserved)
  from stock where on_hand <> ledger_on_hand or reserved <> ledger_reserved
union all
select product_id, null, 'reserved differs from active reservations',
       format('reserved %s, active reservation lines %s', reserved, held)
  from stock where reserved <> held
union all
select product_id, order_id, 'reservation line not reserved exactly once',
       format('line %s, reserved %s in %s movements', quantity, reserved, reserves)
  from lines where reserves <> 1 or reserved <> quantity
union all
select product_id, order_id, 'reservation line closed other than once',
       format('status %s, line %s, closed %s in %s movements', status, quantity, closed, closings)
  from lines
 where (status = 'active' and closings <> 0) or (status <> 'active' and (closings <> 1 or closed <> quantity))
union all
select product_id, order_id, 'sold other than once',
       format('status %s, %s committed movements', status, commits)
  from lines where commits <> (case when status in ('committed', 'returned') then 1 else 0 end)
union all
select product_id, order_id, 'returned other than once',
       format('status %s, %s returned movements', status, returns)
  from lines where returns <> (case when status = 'returned' then 1 else 0 end)
union all
select m.product_id, m.order_id, 'movement outside its reservation',
       format('movement %s (%s) names a reservation without that product', m.id, m.kind)
  from stock_movements m
 where m.reservation_id is not null
   and not exists (select 1 from reservation_lines rl
                    where rl.reservation_id = m.reservation_id and rl.product_id = m.product_id)
order by 1, 2, 3
