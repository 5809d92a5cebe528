-- Invariants of orders, checked read-only by `microshop audit`: each statement returns the violating rows.

-- check: every order older than the saga time limit has left PENDING_PAYMENT
select 'order still waiting for payment past the saga limit' as check, order_id::text as ids,
       'placed ' || created_at || ', status ' || status as detail
  from order_summaries
 where status = 'PENDING_PAYMENT'
   and created_at < now() - make_interval(secs => current_setting('microshop.saga_limit_seconds')::int);

-- check: the read model agrees with the event store (one summary per stream, same version)
select 'summary out of step with its event stream' as check, coalesce(s.order_id::text, e.stream_id::text) as ids,
       'summary version ' || coalesce(s.version::text, 'missing') || ', stream version ' || coalesce(e.version::text, 'missing') as detail
  from order_summaries s
  full join (select stream_id, max(version) as version from order_events group by stream_id) e on e.stream_id = s.order_id
 where s.version is distinct from e.version;
