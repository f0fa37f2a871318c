import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
// First: the shared base, so the style sheets that components import can refine it.
import './styles.css';
import { App } from './App';
import { startConnection } from './connection';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
// Outside React so StrictMode's double effects cannot open two connections.
startConnection();
