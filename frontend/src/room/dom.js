// Tiny DOM helpers. Everything user-supplied goes in through textContent or
// attributes, never through innerHTML.

/**
 * Create an element.
 *   el('button', { id: 'x', className: 'btn', text: 'Go', onclick: fn }, [child, 'text'])
 * Plain strings in `children` become text nodes.
 */
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === 'className') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2), value);
    } else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of [].concat(children)) {
    if (child != null) node.append(child);
  }
  return node;
}

/** Return #id, creating it (appended to `parent`) when the template lacks it. */
export function ensureById(id, parent, tag = 'div', props = {}) {
  return document.getElementById(id) || parent.appendChild(el(tag, { id, ...props }));
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A small inline icon from a fixed path string (never user data). */
export function icon(pathD, label) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('focusable', 'false');
  if (label) {
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', label);
  } else {
    svg.setAttribute('aria-hidden', 'true');
  }
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', pathD);
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

// Material-style "mic off" glyph.
export const MIC_OFF_PATH =
  'M19 11h-1.7c0 .74-.16 1.43-.43 2.05l1.23 1.23c.56-.98.9-2.09.9-3.28zm-4.02.17' +
  'c0-.06.02-.11.02-.17V5c0-1.66-1.34-3-3-3S9 3.34 9 5v.18l5.98 5.99zM4.27 3 3 ' +
  '4.27l6.01 6.01V11c0 1.66 1.33 3 2.99 3 .22 0 .44-.03.65-.08l1.66 1.66c-.71.33' +
  '-1.5.52-2.31.52-2.76 0-5.3-2.1-5.3-5.1H5c0 3.41 2.72 6.23 6 6.72V21h2v-3.28c.91' +
  '-.13 1.77-.45 2.54-.9L19.73 21 21 19.73 4.27 3z';
