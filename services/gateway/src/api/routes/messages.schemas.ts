import { events } from '@microshop/contracts/events'
import { MAX_MESSAGES_PAGE_SIZE } from '../../app/messages.js'
import { bearer, pageOf, pageQuery, userProblems } from '../schemas/common.js'

export const Message = {
  $id: 'Message',
  type: 'object',
  required: ['id', 'channel', 'to', 'subject', 'body', 'eventType', 'sentAt'],
  properties: {
    id: { type: 'string' },
    channel: { type: 'string', enum: ['email', 'sms'] },
    to: { type: 'string' },
    subject: { type: 'string' },
    body: { type: 'string' },
    eventType: { type: 'string', examples: [events.OrderConfirmed.type] },
    orderId: { type: 'string' },
    sentAt: { type: 'string' },
  },
} as const

export const MessageList = pageOf('MessageList', 'Message')

/** The schemas of this resource that others refer to by $id. */
export const messageComponents = [Message, MessageList] as const

const { properties: page, ...pageShape } = pageQuery(MAX_MESSAGES_PAGE_SIZE)

export const listMessagesSchema = {
  tags: ['account'],
  summary: "The caller's emails and SMS, newest first",
  security: bearer,
  querystring: {
    ...pageShape,
    properties: {
      ...page,
      orderId: { type: 'string', maxLength: 100, description: 'Only the messages about this order' },
    },
  },
  response: { 200: { $ref: 'MessageList#' }, ...userProblems },
} as const
