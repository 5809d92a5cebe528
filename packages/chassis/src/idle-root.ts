/** Marks a span as the root of background work that is dropped, with all of its trace, when the work was idle. */
export const IDLE_ROOT = 'microshop.idle_root'
