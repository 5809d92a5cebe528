-- Invariants of shipping, checked read-only by `microshop audit`: each statement returns the violating rows.

-- check: every order's parcels are numbered 1 to its parcel count, none missing, one count for all
select 'parcels of an order missing or miscounted' as check, order_id as ids,
       count(*) || ' parcels numbered up to ' || max(parcel_number) || ', counts ' || min(parcel_count) || '..' || max(parcel_count) as detail
  from shipments
 group by order_id
having count(*) <> max(parcel_count) or min(parcel_count) <> max(parcel_count) or max(parcel_number) <> max(parcel_count);

-- check: a parcel arrives only after it left, and a cancelled one never left
select 'parcel delivered before dispatch, or cancelled after it' as check, id::text as ids,
       'order ' || order_id || ', status ' || status as detail
  from shipments
 where (status = 'delivered' and (dispatched_at is null or delivered_at < dispatched_at))
    or (status = 'cancelled' and dispatched_at is not null);

-- check: the carrier still has a step to take on every parcel on its way, and none on the others
select 'parcel the carrier has forgotten, or still plans for' as check, id::text as ids,
       'status ' || status || ', next step ' || coalesce(next_step_at::text, 'none') as detail
  from shipments
 where (status in ('created', 'dispatched')) = (next_step_at is null);
