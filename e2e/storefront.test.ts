import { existsSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitFor } from '@microshop/chassis/testing'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { freePort } from '../test-support/net.js'
import { type Launcher, launch } from './launcher.js'

// The storefront in a real browser (Debian's Chromium driven by playwright-core) against the whole system as
// `microshop up` runs it: a person's journeys from the first visit to a delivered order, and the admin's.
const CHROMIUM = '/usr/bin/chromium'
const STOREFRONT = join(import.meta.dirname, '..', 'apps', 'storefront', 'dist', 'index.html')
const ARTIFACTS = join(import.meta.dirname, 'artifacts', 'storefront')
const ADMIN = { email: 'admin@microshop.local', password: 'microshop-admin-2026' }
const PASSWORD = 'a-long-enough-pass-7'
// short-lived access tokens, so the journeys below outlive one and the storefront must renew it silently
const ACCESS_TOKEN_TTL_SECONDS = 20
const MOBILE = { width: 375, height: 812 }
const ORDER_URL = /\/orders\/([A-Za-z0-9_-]+)\?placed=1$/

let dataDir: string
let port: number
let launcher: Launcher
let browser: Browser
let base: string

async function api<T = Record<string, unknown>>(
  path: string,
  init: { method?: string; token?: string; json?: unknown } = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
    signal: AbortSignal.timeout(15_000),
  })
  const text = await res.text()
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T }
}

/** A fresh admin token: they live ACCESS_TOKEN_TTL_SECONDS only. */
const adminToken = async () =>
  (await api<{ accessToken: string }>('/api/auth/login', { method: 'POST', json: ADMIN })).body.accessToken

const available = async (productId: string) =>
  (await api<{ availability: { available: number } | null }>(`/api/products/${productId}`)).body.availability
    ?.available

/** What went wrong in the page's console: script errors always; failed loads unless their status is expected. */
function watchConsole(page: Page) {
  const problems: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${m.text()} (${m.location().url})`)
  })
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`))
  return {
    unexpected: (...statuses: number[]) =>
      problems.filter((p) => !statuses.some((s) => p.includes(`the server responded with a status of ${s}`))),
  }
}

async function newShopper(viewport = MOBILE) {
  const context = await browser.newContext({ viewport, baseURL: base })
  context.setDefaultTimeout(30_000)
  const page = await context.newPage()
  // a failed test keeps a picture of what the page showed; every test closes its browser context
  onTestFinished(async ({ task }) => {
    if (task.result?.state === 'fail') {
      const name = task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)
      for (const [i, p] of context.pages().entries())
        await p
          .screenshot({ path: join(ARTIFACTS, `failed-${name}-${i}.png`), fullPage: true })
          .catch(() => {})
    }
    await context.close()
  })
  return { context, page, console: watchConsole(page) }
}

let shoppers = 0
const newEmail = () => `shopper${++shoppers}-${Date.now()}@example.com`

/** Signs up on the storefront's own page, then lands where `next` says. */
async function signUp(page: Page, next = '/') {
  const email = newEmail()
  await page.goto(`/sign-up?next=${encodeURIComponent(next)}`)
  await page.getByLabel('Name').fill(`Shopper ${shoppers}`)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.waitForURL((url) => url.pathname !== '/sign-up')
  await page.getByRole('link', { name: `Account (Shopper ${shoppers})` }).waitFor()
  return email
}

async function signIn(page: Page, who: { email: string; password: string }) {
  await page.goto('/sign-in')
  await page.getByLabel('Email').fill(who.email)
  await page.getByLabel('Password').fill(who.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((url) => url.pathname !== '/sign-in')
}

/** The signed-in session the storefront keeps in the browser. */
const sessionOf = async (page: Page) =>
  JSON.parse(String(await page.evaluate("localStorage.getItem('microshop.session')"))) as {
    accessToken: string
    refreshToken: string
  }

async function addToCart(page: Page, productId: string, quantity = 1) {
  await page.goto(`/products/${productId}`)
  await page.getByLabel('Quantity').fill(String(quantity))
  await page.getByRole('button', { name: 'Add to cart' }).click()
  await page.getByText(/Added to your cart/).waitFor()
}

/** A link of the header's account navigation. */
const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name, exact: true })

const cartLink = (page: Page, count: number) =>
  page.getByRole('link', { name: new RegExp(`^Cart.*\\b${count} items?$`) })

async function fillAddress(page: Page) {
  await page.getByLabel('Full name', { exact: true }).fill('Sam Buyer')
  await page.getByLabel('Address line 1', { exact: true }).fill('1 Main St')
  await page.getByLabel('Postal code').fill('12345')
  await page.getByLabel('City').fill('Springfield')
}

/** Picks a test card with one click and waits for the shipping quote, as a person would before paying. */
async function chooseCard(page: Page, number: string) {
  await page.getByRole('button', { name: new RegExp(`^${number}`) }).click()
  await expect.poll(() => page.getByLabel('Card number').inputValue()).toBe(number)
  await page.getByText(/^Shipping: /).waitFor()
}

const placedOrderId = async (page: Page) => {
  await page.waitForURL(ORDER_URL)
  return ORDER_URL.exec(page.url())![1]!
}

const orderStatus = (page: Page, status: string) =>
  page.getByRole('status').filter({ hasText: `Status: ${status}` })

/** axe-core in the page as it is now: no serious or critical violation. */
async function expectAccessible(page: Page, what: string) {
  const source = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
  // evaluated by the browser's debugger protocol, so the shop's CSP (no inline scripts) does not refuse it
  await page.evaluate(source)
  const violations = (await page.evaluate(
    "axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) })))",
  )) as { id: string; impact: string; help: string; targets: string[] }[]
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(serious, `${what}: ${JSON.stringify(serious, null, 2)}`).toEqual([])
}

const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: join(ARTIFACTS, `${name}-375.png`), fullPage: true })

beforeAll(async () => {
  if (!existsSync(STOREFRONT))
    throw new Error(`${STOREFRONT} is missing: \`npm run build\` builds the storefront`)
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: \`apt-get install -y chromium\` (CI's .ci/run does)`)
  await mkdir(ARTIFACTS, { recursive: true })
  dataDir = await mkdtemp(join(tmpdir(), 'microshop-storefront-'))
  await chmod(dataDir, 0o755)
  port = await freePort()
  base = `http://127.0.0.1:${port}`
  launcher = await launch(dataDir, port, {
    args: ['--console-port', String(await freePort())],
    env: {
      LOG_LEVEL: 'warn',
      IDENTITY_ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS),
      // time enough, on a busy machine, to cancel a confirmed order before its parcel leaves
      SHIPPING_DISPATCH_AFTER_MS: '15000',
      // one address runs every shopper of this file: the per-address limits are for the internet
      GATEWAY_RATE_LIMIT_LOGIN: '10000',
      GATEWAY_RATE_LIMIT_ANONYMOUS: '100000',
      GATEWAY_RATE_LIMIT_USER: '100000',
    },
  })
  const [started] = await Promise.all([
    chromium.launch({
      executablePath: CHROMIUM,
      chromiumSandbox: false,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    }),
    launcher.ready(),
  ])
  browser = started
  // inventory seeds its stock from the catalog in the background
  await waitFor(async () => ((await available('enamel-camp-mug')) ?? 0) > 0, {
    what: 'stock seeded',
    timeoutMs: 30_000,
    everyMs: 150,
  })
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await launcher?.stop()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
}, 60_000)

describe('the storefront in a browser', () => {
  it('when a visitor fills a cart signed out, signs up and pays with 4242, then the cart survives, the order goes CONFIRMED then SHIPPED live, and the emails are in the inbox', async () => {
    const { page, console } = await newShopper()
    await addToCart(page, 'enamel-camp-mug')
    await cartLink(page, 1).waitFor()
    // search as you type: no Enter, the results follow the box
    await page.goto('/')
    await page.getByRole('searchbox', { name: 'Search products' }).pressSequentially('fountain')
    await page.getByRole('link', { name: /Brass Fountain Pen/ }).click()
    await page.getByLabel('Quantity').fill('2')
    await page.getByRole('button', { name: 'Add to cart' }).click()
    await cartLink(page, 3).waitFor()
    expect(await page.evaluate("localStorage.getItem('microshop.cartToken')")).toBeTruthy()

    await cartLink(page, 3).click()
    await page.getByRole('link', { name: 'Checkout' }).click()
    await page.getByRole('main').getByRole('link', { name: 'Create an account' }).click()
    await page.getByLabel('Name').fill('Sam Buyer')
    await page.getByLabel('Email').fill(newEmail())
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByRole('heading', { name: 'Checkout' }).waitFor()
    // the anonymous cart was merged at sign-in: the same three items, and the browser's token is gone
    await cartLink(page, 3).waitFor()
    await page.getByText('1 × Enamel Camp Mug').waitFor()
    await page.getByText('2 × Brass Fountain Pen').waitFor()
    expect(await page.evaluate("localStorage.getItem('microshop.cartToken')")).toBeNull()
    const firstToken = (await sessionOf(page)).accessToken

    await fillAddress(page)
    await chooseCard(page, '4242 4242 4242 4242')
    await page.getByRole('button', { name: 'Place order' }).click()
    const orderId = await placedOrderId(page)
    await page.getByRole('heading', { name: 'Thank you for your order' }).waitFor()
    const loads: string[] = []
    page.on('load', () => loads.push(page.url()))
    await orderStatus(page, 'Confirmed').waitFor({ timeout: 30_000 })
    await orderStatus(page, 'Shipped').waitFor({ timeout: 60_000 })
    expect(loads, 'the page followed the order without reloading').toEqual([])
    await page.getByText(/^Parcel 1 of 1$/).waitFor()
    await page.getByText(/tracking number/).waitFor()
    // the cart's lines were ordered: the cart empties by itself
    await cartLink(page, 0).waitFor()

    await nav(page, 'Messages').click()
    const subjects = page.getByRole('list', { name: 'Inbox' }).locator('.message-subject')
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Check for new messages' }).click()
          return (await subjects.allTextContents()).join(' | ')
        },
        { timeout: 30_000, interval: 500 },
      )
      .toMatch(new RegExp(`(?=.*Welcome)(?=.*${orderId} confirmed)(?=.*shipped)`, 'i'))
    await page.getByText(new RegExp(`Order ${orderId} confirmed`)).click()
    await page.getByText('Thank you for your order: the payment went through').waitFor()

    // a while has passed: the access token was renewed before it expired, and nobody had to sign in again
    await expect
      .poll(async () => (await sessionOf(page)).accessToken, { timeout: ACCESS_TOKEN_TTL_SECONDS * 1000 })
      .not.toBe(firstToken)
    await nav(page, 'Orders').click()
    await page.getByRole('link', { name: new RegExp(`Order ${orderId}`) }).waitFor()
    expect(console.unexpected()).toEqual([])
  }, 180_000)

  it('when the card is declined, then the order page shows the failure and the stock comes back', async () => {
    const product = 'oak-wall-clock'
    expect(
      (
        await api(`/api/admin/stock/${product}`, {
          method: 'PUT',
          token: await adminToken(),
          json: { quantity: 3 },
        })
      ).status,
    ).toBe(200)
    const { page, console } = await newShopper()
    await signUp(page)
    await page.goto(`/products/${product}`)
    await page.getByText('Only 3 left').waitFor()
    await addToCart(page, product)
    await page.goto('/checkout')
    await fillAddress(page)
    await chooseCard(page, '4000 0000 0000 0002')
    await page.getByRole('button', { name: 'Place order' }).click()
    await placedOrderId(page)
    await orderStatus(page, 'Cancelled').waitFor({ timeout: 30_000 })
    await page
      .getByText(/the payment did not go through/)
      .first()
      .waitFor()
    await page.getByText(/The payment failed/).waitFor()
    await expect.poll(() => available(product), { timeout: 30_000 }).toBe(3)
    await page.goto(`/products/${product}`)
    await page.getByText('Only 3 left').waitFor()
    expect(console.unexpected()).toEqual([])
  }, 120_000)

  it('when a paid order is cancelled before dispatch, then the order page shows the refund', async () => {
    const { page, console } = await newShopper()
    await signUp(page)
    await addToCart(page, 'cork-yoga-mat')
    await page.goto('/checkout')
    await fillAddress(page)
    await chooseCard(page, '4242 4242 4242 4242')
    await page.getByRole('button', { name: 'Place order' }).click()
    await placedOrderId(page)
    await orderStatus(page, 'Confirmed').waitFor({ timeout: 30_000 })
    await page.getByRole('button', { name: 'Cancel order' }).click()
    await page.getByRole('button', { name: 'Yes, cancel the order' }).click()
    await orderStatus(page, 'Cancelled').waitFor()
    await page
      .getByText(/you cancelled it/)
      .first()
      .waitFor()
    await page.getByText(/^Refunded \$\d+\.\d\d to /).waitFor({ timeout: 30_000 })
    expect(await page.getByRole('button', { name: 'Cancel order' }).count()).toBe(0)
    expect(console.unexpected()).toEqual([])
  }, 120_000)

  it('when an admin changes a price, then a shopper’s product page shows the new price', async () => {
    const admin = await newShopper({ width: 1280, height: 900 })
    const shopper = await newShopper()
    await signIn(admin.page, ADMIN)
    await nav(admin.page, 'Admin').click()
    await admin.page.getByRole('button', { name: 'Edit Ceramic Table Lamp' }).click()
    await admin.page.getByRole('heading', { name: 'Edit Ceramic Table Lamp' }).waitFor()
    await admin.page.getByLabel('Price (USD)').fill('123.45')
    await admin.page.getByRole('button', { name: 'Save product' }).click()
    await admin.page.getByText('Saved Ceramic Table Lamp: $123.45.').waitFor()
    await admin.page
      .getByRole('row', { name: /Ceramic Table Lamp/ })
      .getByText('$123.45')
      .waitFor()
    await expectAccessible(admin.page, 'admin products')
    await admin.page.getByRole('link', { name: 'Stock' }).click()
    await admin.page.getByLabel('On hand for Ceramic Table Lamp').fill('40')
    await admin.page.getByRole('button', { name: 'Set stock of Ceramic Table Lamp' }).click()
    await admin.page.getByText('(40 on hand, 0 reserved)').waitFor()
    await expectAccessible(admin.page, 'admin stock')
    await admin.page.getByRole('link', { name: 'Sales' }).click()
    await admin.page.getByText('Orders confirmed').waitFor()
    await expectAccessible(admin.page, 'admin sales')

    // the catalog's change reaches the gateway's cache by event: the witness is the price on the page
    await expect
      .poll(
        async () => {
          await shopper.page.goto('/products/ceramic-table-lamp')
          return shopper.page.locator('.price-large').textContent()
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe('$123.45')
    // a shopper does not see the admin's pages
    await shopper.page.goto('/admin')
    await shopper.page.getByRole('heading', { name: 'Sign in' }).waitFor()
    expect(await nav(shopper.page, 'Admin').count()).toBe(0)
    expect(admin.console.unexpected()).toEqual([])
    expect(shopper.console.unexpected()).toEqual([])
  }, 120_000)

  it('when “Place order” is double-clicked, or its answer is lost and it is pressed again, then one order is placed', async () => {
    const { page, console } = await newShopper()
    await signUp(page)
    await addToCart(page, 'dot-grid-notebook-a5')
    await page.goto('/checkout')
    await fillAddress(page)
    await chooseCard(page, '4242 4242 4242 4242')
    await page.getByRole('button', { name: 'Place order' }).dblclick()
    const first = await placedOrderId(page)
    const { accessToken } = await sessionOf(page)
    const listed = async () =>
      (
        await api<{ items: { id: string }[] }>('/api/orders?pageSize=50', { token: accessToken })
      ).body.items.map((o) => o.id)
    expect(await listed()).toEqual([first])

    // the order reaches the API but its answer never reaches the browser: pressing again is the same attempt
    await addToCart(page, 'pocket-memo-pads-3-pack')
    await page.goto('/checkout')
    // the first checkout saved its address: it is offered, and chosen
    expect(await page.getByRole('radio', { name: /1 Main St/ }).isChecked()).toBe(true)
    await chooseCard(page, '4242 4242 4242 4242')
    const keys: string[] = []
    await page.route('**/api/orders', async (route) => {
      if (route.request().method() !== 'POST') return route.continue()
      keys.push(route.request().headers()['idempotency-key'] ?? '')
      if (keys.length > 1) return route.continue()
      await route.fetch()
      await route.abort('connectionreset')
    })
    await page.getByRole('button', { name: 'Place order' }).click()
    await page.getByText(/nothing is ordered or charged twice/).waitFor()
    await page.getByRole('button', { name: 'Place order' }).click()
    const second = await placedOrderId(page)
    expect(keys).toHaveLength(2)
    expect(keys[1]).toBe(keys[0])
    expect((await listed()).sort()).toEqual([first, second].sort())
    expect(console.unexpected().filter((p) => !p.includes('ERR_CONNECTION_RESET'))).toEqual([])
  }, 120_000)

  it('when the input is bad (quantity 0, an empty address, a malformed card number), then each field shows its error and nothing is placed', async () => {
    const { page, console } = await newShopper()
    await signUp(page)
    await page.goto('/products/washi-tape-set-8')
    await page.getByLabel('Quantity').fill('0')
    await page.getByRole('button', { name: 'Add to cart' }).click()
    const quantity = page.getByLabel('Quantity')
    await expect.poll(() => quantity.getAttribute('aria-invalid')).toBe('true')
    await page.getByText('At least 1').waitFor()
    await cartLink(page, 0).waitFor()

    await addToCart(page, 'washi-tape-set-8')
    await page.goto('/checkout')
    await page.getByLabel('Full name', { exact: true }).fill('')
    await page.getByLabel('Card number').fill('4242 4242 4242 4241')
    await page.getByLabel('Expiry month (MM)').fill('12')
    await page.getByLabel('Expiry year (YYYY)').fill('2035')
    await page.getByLabel('CVC').fill('123')
    await page.getByRole('button', { name: 'Place order' }).click()
    // the API's problem+json errors[].field, each shown with the field it names
    const cardNumber = page.getByLabel('Card number')
    await expect.poll(() => cardNumber.getAttribute('aria-invalid')).toBe('true')
    await expect.poll(async () => (await cardNumber.getAttribute('aria-describedby')) ?? '').toMatch(/error/)
    const errorId = (await cardNumber.getAttribute('aria-describedby'))!.split(' ').at(-1)
    const cardError = page.locator(`[id="${errorId}"]`)
    expect(await cardError.textContent()).toMatch(/card number/i)

    // a good card: the address is what the API refuses now, field by field
    await chooseCard(page, '4242 4242 4242 4242')
    await page.getByRole('button', { name: 'Place order' }).click()
    for (const label of ['Full name', 'Address line 1', 'Postal code', 'City']) {
      const field = page.getByLabel(label, { exact: true })
      await expect.poll(() => field.getAttribute('aria-invalid'), { message: label }).toBe('true')
    }
    await page.getByText('Check the highlighted fields.').waitFor()
    const { accessToken } = await sessionOf(page)
    expect(
      (await api<{ items: unknown[] }>('/api/orders', { token: accessToken })).body.items,
      'nothing was placed',
    ).toEqual([])
    expect(console.unexpected(400)).toEqual([])
  }, 120_000)

  it('when the session cannot be renewed, then the shopper is sent to sign in, and after it the cart is still there', async () => {
    const { page, console } = await newShopper()
    const email = await signUp(page)
    await addToCart(page, 'leather-desk-pad')
    await cartLink(page, 1).waitFor()
    // the refresh token is refused (revoked, or expired) and the access token is spent
    await page.evaluate(
      "localStorage.setItem('microshop.session', JSON.stringify({ ...JSON.parse(localStorage.getItem('microshop.session')), refreshToken: 'revoked', expiresAt: 0 }))",
    )
    await page.goto('/orders')
    await page.waitForURL(/\/sign-in\?next=%2Forders$/)
    await page.getByText('Your session has ended: sign in again. Your cart is kept.').waitFor()
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Your orders' }).waitFor()
    await cartLink(page, 1).waitFor()
    expect(console.unexpected(401)).toEqual([])
  }, 120_000)

  it('when every page is checked with axe, then none has a serious or critical violation; 375 px screenshots are kept', async () => {
    const { context, page, console } = await newShopper()
    await page.goto('/')
    await page.getByRole('heading', { name: 'New in' }).waitFor()
    await page.locator('.product-card img').first().waitFor()
    // the keyboard reaches the skip link first, then the shop
    await page.keyboard.press('Tab')
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content')
    await screenshot(page, 'home')
    await expectAccessible(page, 'home')

    await page.goto('/category/outdoor')
    await page.getByRole('list', { name: 'Outdoor products' }).waitFor()
    await expectAccessible(page, 'category')
    await page.goto('/products?sort=price_desc')
    await page.getByRole('button', { name: 'Next page' }).click()
    await page.getByText('Page 2 of').waitFor()
    await expectAccessible(page, 'all products, page 2')

    await page.getByRole('searchbox', { name: 'Search products' }).fill('zzzz-nothing')
    await page.getByText('No products match “zzzz-nothing”.').waitFor()
    await expectAccessible(page, 'search, no results')

    await page.goto('/products/adjustable-dumbbells-pair')
    await page.getByText('In stock').waitFor()
    await screenshot(page, 'product')
    await expectAccessible(page, 'product')
    // the keyboard alone adds to the cart
    await page.getByLabel('Quantity').focus()
    await page.keyboard.press('Control+A')
    await page.keyboard.type('2')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Enter')
    await cartLink(page, 2).waitFor()

    await page.goto('/cart')
    await page.getByRole('list', { name: 'Items in your cart' }).waitFor()
    await screenshot(page, 'cart')
    await expectAccessible(page, 'cart')

    await page.goto('/sign-in')
    await expectAccessible(page, 'sign in')
    await signUp(page, '/checkout')
    await page.getByRole('heading', { name: 'Checkout' }).waitFor()
    await fillAddress(page)
    await chooseCard(page, '4242 4242 4242 4242')
    // two pairs of dumbbells are over 30 kg: they ship in two parcels
    await page.getByText('Your order ships in 2 parcels:').waitFor()
    await screenshot(page, 'checkout')
    await expectAccessible(page, 'checkout')

    await page.getByRole('button', { name: 'Place order' }).click()
    await placedOrderId(page)
    await orderStatus(page, 'Confirmed').waitFor({ timeout: 30_000 })
    await screenshot(page, 'order')
    await expectAccessible(page, 'order')
    await page.goto('/orders')
    await page.getByRole('list', { name: 'Orders' }).waitFor()
    await expectAccessible(page, 'orders')
    await page.goto('/messages')
    await page.getByRole('list', { name: 'Inbox' }).waitFor()
    await expectAccessible(page, 'messages')
    await page.goto('/account')
    await page.getByRole('heading', { name: 'Saved addresses' }).waitFor()
    await expectAccessible(page, 'account')
    await page.goto('/nowhere')
    await expectAccessible(page, 'not found')
    await page.getByRole('link', { name: /^Account/ }).click()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await nav(page, 'Sign in').waitFor()

    const desktop = await context.newPage()
    await desktop.setViewportSize({ width: 1280, height: 900 })
    await desktop.goto('/')
    await desktop.getByRole('heading', { name: 'New in' }).waitFor()
    await desktop.screenshot({ path: join(ARTIFACTS, 'home-1280.png') })
    expect(console.unexpected()).toEqual([])
  }, 180_000)
})
