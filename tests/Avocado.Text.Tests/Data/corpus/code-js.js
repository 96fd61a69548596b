'use strict';
// Debounce with arrow functions, template literals, regex and optional chaining.
const debounce = (fn, ms = 250) => {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
};

export async function fetchJson(url, { retries = 3 } = {}) {
  for (let i = 0; i <= retries; i++) {
    const res = await fetch(url);
    if (res.ok) return res.json();
    console.warn(`retry ${i + 1}/${retries}: ${res.status}`);
  }
  throw new Error(`failed: ${url}`);
}

const EMAIL = /^[\w.+-]+@[\w-]+\.[\w.]+$/u;
console.log(EMAIL.test('a.b+c@example.com') ? 'ok' : 'no', obj?.deep?.[0] ?? 'none', 1e3 >>> 0, a !== b && c === d);
