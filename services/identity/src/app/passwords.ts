import { randomBytes } from 'node:crypto'
import { type Algorithm, hash, verify } from '@node-rs/argon2'

export interface HashParams {
  memoryKib: number
  timeCost: number
}

// Argon2id; a const enum in the package's types, which isolated modules cannot read
const ARGON2ID = 2 as Algorithm

export type PasswordHasher = Awaited<ReturnType<typeof createPasswordHasher>>

/** argon2id hashing, with a decoy hash so an unknown email costs as much time as a wrong password. */
export async function createPasswordHasher(params: HashParams) {
  const options = {
    algorithm: ARGON2ID,
    memoryCost: params.memoryKib,
    timeCost: params.timeCost,
    parallelism: 1,
  }
  const decoy = await hash(randomBytes(32), options)
  return {
    hash: (password: string) => hash(password, options),
    verify: (passwordHash: string, password: string) => verify(passwordHash, password).catch(() => false),
    /** Spends the time a real check would, for an email no account has; always false. */
    async verifyDecoy(password: string): Promise<false> {
      await verify(decoy, password).catch(() => false)
      return false
    },
  }
}
