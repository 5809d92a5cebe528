import type { PostalAddress } from '../api/types'
import { Field, SelectField } from './fields'

export const COUNTRIES: [code: string, name: string][] = [
  ['US', 'United States'],
  ['CA', 'Canada'],
  ['GB', 'United Kingdom'],
  ['IE', 'Ireland'],
  ['FR', 'France'],
  ['DE', 'Germany'],
  ['NL', 'Netherlands'],
  ['BE', 'Belgium'],
  ['ES', 'Spain'],
  ['IT', 'Italy'],
  ['SE', 'Sweden'],
  ['DK', 'Denmark'],
  ['NO', 'Norway'],
  ['AU', 'Australia'],
  ['NZ', 'New Zealand'],
  ['JP', 'Japan'],
]

export const countryName = (code: string) => COUNTRIES.find(([c]) => c === code)?.[1] ?? code

export const EMPTY_ADDRESS: PostalAddress = {
  name: '',
  line1: '',
  line2: '',
  city: '',
  region: '',
  postalCode: '',
  country: 'US',
  phone: '',
}

/** An address as the API takes it: the optional lines left out when empty. */
export function cleanAddress(a: PostalAddress): PostalAddress {
  const out: PostalAddress = {
    line1: a.line1.trim(),
    city: a.city.trim(),
    postalCode: a.postalCode.trim(),
    country: a.country,
  }
  for (const key of ['name', 'line2', 'region', 'phone'] as const) {
    const value = a[key]?.trim()
    if (value) out[key] = value
  }
  return out
}

export const addressLines = (a: PostalAddress) =>
  [
    a.name,
    a.line1,
    a.line2,
    [a.postalCode, a.city].filter(Boolean).join(' '),
    a.region,
    countryName(a.country),
  ]
    .filter(Boolean)
    .join(', ')

/**
 * The fields of a postal address; `errors` are the API's by field name under `prefix`
 * (`shippingAddress.city` for an order, `addresses.0.city` for a profile).
 */
export function AddressFields({
  value,
  onChange,
  errors,
  prefix,
  requireName,
}: {
  value: PostalAddress
  onChange: (next: PostalAddress) => void
  errors: Record<string, string>
  prefix: string
  requireName?: boolean
}) {
  const set = (key: keyof PostalAddress) => (e: { target: { value: string } }) =>
    onChange({ ...value, [key]: e.target.value })
  const error = (key: keyof PostalAddress) => errors[`${prefix}.${key}`]
  return (
    <div className="address-fields">
      <Field
        label={requireName ? 'Full name' : 'Full name (optional)'}
        autoComplete="name"
        value={value.name ?? ''}
        onChange={set('name')}
        error={error('name')}
      />
      <Field
        label="Address line 1"
        autoComplete="address-line1"
        value={value.line1}
        onChange={set('line1')}
        error={error('line1')}
      />
      <Field
        label="Address line 2 (optional)"
        autoComplete="address-line2"
        value={value.line2 ?? ''}
        onChange={set('line2')}
        error={error('line2')}
      />
      <div className="row">
        <Field
          label="Postal code"
          autoComplete="postal-code"
          value={value.postalCode}
          onChange={set('postalCode')}
          error={error('postalCode')}
        />
        <Field
          label="City"
          autoComplete="address-level2"
          value={value.city}
          onChange={set('city')}
          error={error('city')}
        />
      </div>
      <div className="row">
        <Field
          label="State or region (optional)"
          autoComplete="address-level1"
          value={value.region ?? ''}
          onChange={set('region')}
          error={error('region')}
        />
        <SelectField
          label="Country"
          autoComplete="country"
          value={value.country}
          onChange={set('country')}
          error={error('country')}
        >
          {COUNTRIES.map(([code, name]) => (
            <option key={code} value={code}>
              {name}
            </option>
          ))}
        </SelectField>
      </div>
      <Field
        label="Phone (optional)"
        type="tel"
        autoComplete="tel"
        value={value.phone ?? ''}
        onChange={set('phone')}
        error={error('phone')}
      />
    </div>
  )
}
