import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app'
import { loadCart } from './state/cart'
import { resumeSession } from './state/session'
import './styles.css'

const root = document.getElementById('root')
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  )
}
void resumeSession().then(() => loadCart().catch(() => undefined))
