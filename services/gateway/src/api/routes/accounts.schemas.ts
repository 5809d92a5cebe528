import { bearer, bodyProblems, commonProblems, problems, userProblems } from '../schemas/common.js'

/** The lines of a postal address: as a profile saves it and as an order ships to it. */
export const postalAddress = {
  name: { type: 'string', maxLength: 100 },
  line1: { type: 'string', minLength: 1, maxLength: 200 },
  line2: { type: 'string', maxLength: 200 },
  city: { type: 'string', minLength: 1, maxLength: 100 },
  region: { type: 'string', maxLength: 100 },
  postalCode: { type: 'string', minLength: 1, maxLength: 20 },
  country: { type: 'string', pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' },
  phone: { type: 'string', maxLength: 30 },
} as const

export const Address = {
  $id: 'Address',
  type: 'object',
  additionalProperties: false,
  required: ['line1', 'city', 'postalCode', 'country'],
  properties: {
    id: { type: 'string', maxLength: 64 },
    label: { type: 'string', maxLength: 50 },
    ...postalAddress,
    isDefault: { type: 'boolean' },
  },
} as const

export const User = {
  $id: 'User',
  type: 'object',
  required: ['id', 'email', 'name', 'roles', 'status', 'createdAt', 'addresses'],
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    roles: { type: 'array', items: { type: 'string', enum: ['customer', 'admin'] } },
    status: { type: 'string', enum: ['active', 'blocked'] },
    createdAt: { type: 'string' },
    addresses: { type: 'array', items: { $ref: 'Address#' } },
  },
} as const

export const Tokens = {
  $id: 'Tokens',
  type: 'object',
  required: ['accessToken', 'refreshToken', 'expiresIn', 'tokenType'],
  properties: {
    accessToken: { type: 'string', description: 'EdDSA JWT; send as `Authorization: Bearer <token>`' },
    refreshToken: {
      type: 'string',
      description: 'Opaque; each use rotates it, reusing an old one revokes them all',
    },
    expiresIn: { type: 'integer', description: 'Seconds until the access token expires' },
    tokenType: { type: 'string', enum: ['Bearer'] },
  },
} as const

/** The schemas of this resource that others refer to by $id. */
export const accountComponents = [Address, User, Tokens] as const

const email = { type: 'string', minLength: 3, maxLength: 254 } as const
const password = { type: 'string', minLength: 1, maxLength: 128 } as const
const personName = { type: 'string', minLength: 1, maxLength: 100 } as const

export const registerSchema = {
  tags: ['auth'],
  summary: 'Create a customer account',
  description:
    'A taken email gets the same 201 and the same shape of answer, so sign-up does not tell who has an ' +
    'account; nothing is changed and only the owner’s password signs in. Limited like sign-in, per address.',
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['email', 'password', 'name'],
    properties: { email, password, name: personName },
  },
  response: { 201: { $ref: 'User#' }, ...bodyProblems },
} as const

export const loginSchema = {
  tags: ['auth'],
  summary: 'Sign in; an anonymous cart named by X-Cart-Token is merged into the account',
  headers: {
    type: 'object',
    properties: {
      'x-cart-token': {
        type: 'string',
        maxLength: 100,
        description: 'An anonymous cart to merge into the account',
      },
    },
  },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['email', 'password'],
    properties: { email, password },
  },
  response: { 200: { $ref: 'Tokens#' }, 401: problems[401], 403: problems[403], ...bodyProblems },
} as const

const refreshBody = {
  type: 'object',
  additionalProperties: false,
  required: ['refreshToken'],
  properties: { refreshToken: { type: 'string', minLength: 1, maxLength: 200 } },
} as const

export const refreshSchema = {
  tags: ['auth'],
  summary: 'Trade a refresh token for new tokens (rotation)',
  body: refreshBody,
  response: { 200: { $ref: 'Tokens#' }, 401: problems[401], ...bodyProblems },
} as const

export const logoutSchema = {
  tags: ['auth'],
  summary: 'Revoke a refresh token',
  body: refreshBody,
  response: { 204: { description: 'Signed out', type: 'null' }, ...bodyProblems },
} as const

export const jwksSchema = {
  tags: ['auth'],
  summary: 'Public keys that verify access tokens',
  response: {
    200: {
      type: 'object',
      required: ['keys'],
      properties: { keys: { type: 'array', items: { type: 'object', additionalProperties: true } } },
    },
    ...commonProblems,
  },
} as const

export const profileSchema = {
  tags: ['account'],
  summary: "The caller's profile",
  security: bearer,
  response: { 200: { $ref: 'User#' }, ...userProblems },
} as const

export const profilePatchSchema = {
  tags: ['account'],
  summary: "Change the caller's name or shipping addresses (addresses replace the current list)",
  security: bearer,
  body: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: {
      name: personName,
      addresses: { type: 'array', maxItems: 10, items: { $ref: 'Address#' } },
    },
  },
  response: { 200: { $ref: 'User#' }, ...userProblems, 413: problems[413] },
} as const
