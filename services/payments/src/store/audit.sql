-- payments' invariants for `microshop audit`: each statement returns the violations as (check, ids, detail)

-- check: ledger balanced per transaction
select 'payments: ledger transaction unbalanced' as check, t.id::text as ids,
       format('%s of order %s: debits %s, credits %s %s', t.kind, t.order_id,
              sum(e.amount) filter (where e.direction = 'debit'),
              sum(e.amount) filter (where e.direction = 'credit'), e.currency) as detail
  from ledger_transactions t join ledger_entries e on e.transaction_id = t.id
 group by t.id, t.kind, t.order_id, e.currency
having coalesce(sum(e.amount) filter (where e.direction = 'debit'), 0)
    <> coalesce(sum(e.amount) filter (where e.direction = 'credit'), 0);

-- check: ledger balanced overall
select 'payments: ledger unbalanced' as check, currency as ids,
       format('debits %s, credits %s', sum(amount) filter (where direction = 'debit'),
              sum(amount) filter (where direction = 'credit')) as detail
  from ledger_entries
 group by currency
having coalesce(sum(amount) filter (where direction = 'debit'), 0)
    <> coalesce(sum(amount) filter (where direction = 'credit'), 0);

-- check: ledger transaction without entries
select 'payments: ledger transaction without entries' as check, t.id::text as ids,
       format('%s of order %s', t.kind, t.order_id) as detail
  from ledger_transactions t
 where not exists (select 1 from ledger_entries e where e.transaction_id = t.id);

-- check: at most one capture per order
select 'payments: more than one capture for an order' as check, order_id as ids,
       format('%s captures', count(*)) as detail
  from ledger_transactions
 where kind = 'capture'
 group by order_id
having count(*) > 1;

-- check: at most one provider capture per order
select 'payments: the provider captured more than once for an order' as check, p.order_id as ids,
       format('%s provider captures', count(*)) as detail
  from provider_charges c join payments p on p.id::text = c.idempotency_key
 where c.outcome = 'captured'
 group by p.order_id
having count(*) > 1;

-- check: payment status agrees with the ledger
select 'payments: status disagrees with the ledger' as check, p.order_id as ids,
       format('payment %s is %s with %s capture(s) and %s refund(s)', p.id, p.status,
              count(t.id) filter (where t.kind = 'capture'), count(t.id) filter (where t.kind = 'refund')) as detail
  from payments p left join ledger_transactions t on t.payment_id = p.id
 group by p.id, p.order_id, p.status
having (p.status = 'CAPTURED' and (count(t.id) filter (where t.kind = 'capture') <> 1
                                   or count(t.id) filter (where t.kind = 'refund') <> 0))
    or (p.status = 'REFUNDED' and (count(t.id) filter (where t.kind = 'capture') <> 1
                                   or count(t.id) filter (where t.kind = 'refund') <> 1))
    or (p.status in ('PENDING', 'FAILED') and count(t.id) <> 0);

-- check: every cancelled paid order refunded exactly once
select 'payments: cancelled paid order not refunded exactly once' as check, c.order_id as ids,
       format('payment %s is %s with %s refund(s)', p.id, p.status,
              (select count(*) from ledger_transactions r where r.payment_id = p.id and r.kind = 'refund')) as detail
  from order_cancellations c join payments p on p.order_id = c.order_id
 where exists (select 1 from ledger_transactions t where t.payment_id = p.id and t.kind = 'capture')
   and (select count(*) from ledger_transactions r where r.payment_id = p.id and r.kind = 'refund') <> 1;

-- check: refunds only for cancelled orders
select 'payments: refund without a cancelled order' as check, t.order_id as ids,
       format('refund %s', t.id) as detail
  from ledger_transactions t
 where t.kind = 'refund' and not exists (select 1 from order_cancellations c where c.order_id = t.order_id);

-- check: no payment left pending beyond the saga time limit
select 'payments: payment still pending' as check, order_id as ids,
       format('payment %s pending since %s', id, created_at) as detail
  from payments
 where status = 'PENDING'
   and created_at < now() - coalesce(nullif(current_setting('microshop.saga_limit_seconds', true), ''), '960')::int
                          * interval '1 second'
