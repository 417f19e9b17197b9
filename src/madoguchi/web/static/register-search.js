/* The register's key field finds fees by what the clerk types: the fee's name or its
 * reading from the catalog, in hiragana or katakana, full or half width. Both sides are folded the same way: NFKC (width), katakana to hiragana, lower case,
 * spaces and punctuation dropped. Fees whose name or reading starts with the text come first,
 * then those containing it; within each, the catalog's order (most used first). */
"use strict";

const FeeSearch = (() => {
  function fold(text) {
    return String(text || "").normalize("NFKC").toLowerCase()
      .replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60))
      .replace(/[\s\u30fb\u3001\u3002\u300c\u300d()\[\],.\-_]/g, "");  // spaces, the middle dot, Japanese commas, stops and quotes, ASCII punctuation
  }

  const index = BOOT.fees.map((f) => ({ fee: f, keys: [fold(f.name), fold(f.reading)].filter(Boolean) }));

  /* Whether the text is a search rather than a key number or a fee code. */
  function isSearch(text) {
    return /[^\x00-\x7f]/.test(String(text || "").normalize("NFKC"));
  }

  /* The fees the text finds, best first (none for an empty text). */
  function find(text) {
    const q = fold(text);
    if (!q) return [];
    const starts = [];
    const contains = [];
    index.forEach(({ fee, keys }) => {
      if (keys.some((k) => k.startsWith(q))) starts.push(fee);
      else if (keys.some((k) => k.includes(q))) contains.push(fee);
    });
    return starts.concat(contains);
  }

  return { fold, isSearch, find };
})();
