import { type FormEvent, useEffect, useId, useRef, useState } from 'react'
import { ApiError } from '../api/http'
import { admin, catalog } from '../api/shop'
import type { Category, Product, ProductInput, StockLevel } from '../api/types'
import { Alert, Field, SelectField } from '../components/fields'
import { LoadState, Page } from '../components/page'
import { decimalOf, formatMoney, minorUnits } from '../format'
import { Link, navigate, usePlace } from '../router'
import { isAdmin, sessionStore } from '../state/session'
import { useStore } from '../state/store'
import { useLoad } from '../use-load'

type Tab = 'products' | 'stock' | 'sales'
const TABS: { id: Tab; label: string }[] = [
  { id: 'products', label: 'Products' },
  { id: 'stock', label: 'Stock' },
  { id: 'sales', label: 'Sales' },
]

/** Every product, page after page (the API gives at most 100 at a time). */
async function allProducts(): Promise<Product[]> {
  const all: Product[] = []
  let pageToken: string | undefined
  do {
    const page = await catalog.products({ sort: 'name', pageSize: 100, pageToken })
    all.push(...page.items)
    pageToken = page.nextPageToken
  } while (pageToken)
  return all
}

interface ProductForm {
  id: string
  name: string
  description: string
  price: string
  currency: string
  category: string
  imageUrl: string
  weightGrams: string
}

const formOf = (p?: Product): ProductForm => ({
  id: p?.id ?? '',
  name: p?.name ?? '',
  description: p?.description ?? '',
  price: p ? decimalOf(p.price) : '',
  currency: p?.price.currency ?? 'USD',
  category: p?.category ?? '',
  imageUrl: p?.imageUrl ?? '',
  weightGrams: p?.weightGrams ? String(p.weightGrams) : '',
})

function ProductEditor({
  product,
  categories,
  onSaved,
  onClose,
}: {
  product?: Product
  categories: Category[]
  onSaved: (p: Product) => void
  onClose: () => void
}) {
  const [form, setForm] = useState<ProductForm>(() => ({
    ...formOf(product),
    category: product?.category ?? categories[0]?.id ?? '',
  }))
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [problem, setProblem] = useState<string>()
  const [busy, setBusy] = useState(false)
  const heading = useRef<HTMLHeadingElement>(null)
  const descriptionId = useId()
  useEffect(() => heading.current?.focus(), [])
  const set = (key: keyof ProductForm) => (e: { target: { value: string } }) =>
    setForm({ ...form, [key]: e.target.value })

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const amount = minorUnits(form.price, form.currency)
    if (amount === undefined) {
      setErrors({ 'price.amount': `A price like 12.99 (${form.currency})` })
      return
    }
    const input: ProductInput = {
      name: form.name.trim(),
      description: form.description,
      price: { amount, currency: form.currency },
      category: form.category,
      ...(form.imageUrl.trim() ? { imageUrl: form.imageUrl.trim() } : {}),
      ...(form.weightGrams.trim() ? { weightGrams: Number(form.weightGrams) } : {}),
    }
    setBusy(true)
    setErrors({})
    setProblem(undefined)
    try {
      const saved = product
        ? await admin.put(product.id, input)
        : await admin.create({ ...input, ...(form.id.trim() ? { id: form.id.trim() } : {}) })
      onSaved(saved)
    } catch (err) {
      setErrors(err instanceof ApiError ? err.fields : {})
      setProblem(err instanceof ApiError ? err.message : String(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="editor" aria-labelledby="editor-heading">
      <h2 id="editor-heading" ref={heading} tabIndex={-1}>
        {product ? `Edit ${product.name}` : 'New product'}
      </h2>
      <form onSubmit={submit} noValidate className="stack">
        {!product && (
          <Field
            label="Id (optional)"
            hint="Made from the name when left empty, like enamel-camp-mug"
            value={form.id}
            onChange={set('id')}
            error={errors.id}
          />
        )}
        <Field label="Name" value={form.name} onChange={set('name')} error={errors.name} />
        <div className="field">
          <label htmlFor={descriptionId}>Description</label>
          <textarea id={descriptionId} rows={4} value={form.description} onChange={set('description')} />
          {errors.description && <p className="field-error">{errors.description}</p>}
        </div>
        <div className="row">
          <Field
            label={`Price (${form.currency})`}
            inputMode="decimal"
            value={form.price}
            onChange={set('price')}
            error={errors['price.amount'] ?? errors.price}
          />
          <SelectField
            label="Category"
            value={form.category}
            onChange={set('category')}
            error={errors.category}
          >
            {categories.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </SelectField>
        </div>
        <div className="row">
          <Field label="Image URL" value={form.imageUrl} onChange={set('imageUrl')} error={errors.imageUrl} />
          <Field
            label="Weight (grams)"
            inputMode="numeric"
            value={form.weightGrams}
            onChange={set('weightGrams')}
            error={errors.weightGrams}
          />
        </div>
        <Alert>{problem}</Alert>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {product ? 'Save product' : 'Create product'}
          </button>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </form>
    </section>
  )
}

function ProductsTab({ loaded, categories }: { loaded: Product[]; categories: Category[] }) {
  const [editing, setEditing] = useState<Product | 'new'>()
  const [saved, setSaved] = useState<string>()
  // what the API answered to a save is the product now; a list read again could still be a cached one
  const [changed, setChanged] = useState<Map<string, Product>>(new Map())
  const products = [
    ...loaded.map((p) => changed.get(p.id) ?? p),
    ...[...changed.values()].filter((p) => !loaded.some((l) => l.id === p.id)),
  ]
  const categoryName = (id: string) => categories.find((c) => c.id === id)?.name ?? id
  return (
    <>
      {saved && <Alert tone="info">{saved}</Alert>}
      {editing ? (
        <ProductEditor
          key={editing === 'new' ? 'new' : editing.id}
          product={editing === 'new' ? undefined : editing}
          categories={categories}
          onClose={() => setEditing(undefined)}
          onSaved={(p) => {
            setSaved(`Saved ${p.name}: ${formatMoney(p.price)}.`)
            setEditing(undefined)
            setChanged((m) => new Map(m).set(p.id, p))
          }}
        />
      ) : (
        <button type="button" className="primary" onClick={() => setEditing('new')}>
          New product
        </button>
      )}
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Products</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Category</th>
              <th scope="col">Price</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {products.map((p) => (
              <tr key={p.id}>
                <th scope="row">
                  <Link to={`/products/${p.id}`}>{p.name}</Link>
                </th>
                <td>{categoryName(p.category)}</td>
                <td className="price">{formatMoney(p.price)}</td>
                <td>
                  <button type="button" onClick={() => setEditing(p)}>
                    Edit <span className="visually-hidden">{p.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}

function StockRow({ product }: { product: Product }) {
  const available = useLoad(() => catalog.product(product.id).then((d) => d.availability), [product.id])
  const [typed, setTyped] = useState('')
  const [level, setLevel] = useState<StockLevel>()
  const [error, setError] = useState<string>()
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setError(undefined)
    try {
      setLevel(await admin.setStock(product.id, Number(typed.trim() === '' ? Number.NaN : typed)))
      setTyped('')
    } catch (err) {
      setError(err instanceof ApiError ? (err.fields.quantity ?? err.message) : String(err))
    }
  }
  const shown = level ? level.available : available.data?.available
  return (
    <tr>
      <th scope="row">{product.name}</th>
      <td>
        {shown ?? (available.loading ? '…' : 'unknown')}
        {level && (
          <span className="muted">
            {' '}
            ({level.onHand} on hand, {level.reserved} reserved)
          </span>
        )}
      </td>
      <td>
        <form onSubmit={submit} noValidate className="inline-form">
          <Field
            label={`On hand for ${product.name}`}
            className="quantity compact"
            inputMode="numeric"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            error={error}
          />
          <button type="submit">
            Set <span className="visually-hidden">stock of {product.name}</span>
          </button>
        </form>
      </td>
    </tr>
  )
}

function StockTab({ products }: { products: Product[] }) {
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">Stock levels</caption>
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Available</th>
            <th scope="col">Set the quantity on hand</th>
          </tr>
        </thead>
        <tbody>
          {products.map((p) => (
            <StockRow key={p.id} product={p} />
          ))}
        </tbody>
      </table>
    </div>
  )
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10)

function SalesTab({ products }: { products: Product[] }) {
  const [from, setFrom] = useState(() => isoDay(new Date(Date.now() - 29 * 86_400_000)))
  const [to, setTo] = useState(() => isoDay(new Date()))
  const sales = useLoad(() => admin.sales({ from, to }), [from, to])
  const nameOf = (id: string) => products.find((p) => p.id === id)?.name ?? id
  return (
    <>
      <div className="row">
        <Field label="From" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        <Field label="To" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
      </div>
      <LoadState loading={sales.loading && !sales.data} error={sales.error} retry={sales.reload} />
      {sales.data && (
        <>
          <dl className="totals">
            <dt>Revenue</dt>
            <dd>{formatMoney(sales.data.revenue)}</dd>
            <dt>Orders confirmed</dt>
            <dd>{sales.data.ordersConfirmed}</dd>
            <dt>Orders cancelled</dt>
            <dd>{sales.data.ordersCancelled}</dd>
          </dl>
          {sales.data.rows.length === 0 ? (
            <p>No sales in these days.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">Sales by day and product</caption>
                <thead>
                  <tr>
                    <th scope="col">Day</th>
                    <th scope="col">Product</th>
                    <th scope="col">Units</th>
                    <th scope="col">Revenue</th>
                  </tr>
                </thead>
                <tbody>
                  {sales.data.rows.map((r) => (
                    <tr key={`${r.day}-${r.productId}`}>
                      <td>{r.day}</td>
                      <th scope="row">{nameOf(r.productId)}</th>
                      <td>{r.quantity}</td>
                      <td className="price">{formatMoney(r.revenue)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </>
  )
}

/** The shop's back office, for admins only: products and prices, stock, sales. */
export default function AdminPage() {
  const { user } = useStore(sessionStore)
  const tabParam = usePlace().query.get('tab')
  const tab: Tab = TABS.some((t) => t.id === tabParam) ? (tabParam as Tab) : 'products'
  const products = useLoad(() => allProducts(), [])
  const categories = useLoad((signal) => catalog.categories(signal), [])

  if (!isAdmin(user))
    return (
      <Page title="Admin">
        <p>
          This part of the shop is for its admins. <Link to="/">Back to the shop</Link>
        </p>
      </Page>
    )

  return (
    <Page title="Admin" className="admin">
      <nav aria-label="Admin sections">
        <ul className="tabs">
          {TABS.map((t) => (
            <li key={t.id}>
              <a
                href={`/admin?tab=${t.id}`}
                aria-current={t.id === tab ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault()
                  navigate(`/admin?tab=${t.id}`, { replace: true })
                }}
              >
                {t.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <LoadState
        loading={!products.data && products.loading}
        error={products.error}
        retry={products.reload}
      />
      {products.data && categories.data && tab === 'products' && (
        <ProductsTab loaded={products.data} categories={categories.data.items} />
      )}
      {products.data && tab === 'stock' && <StockTab products={products.data} />}
      {products.data && tab === 'sales' && <SalesTab products={products.data} />}
    </Page>
  )
}
