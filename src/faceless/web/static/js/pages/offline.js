// The offline page needs no behaviour beyond app.js (network banner, draft sync).
