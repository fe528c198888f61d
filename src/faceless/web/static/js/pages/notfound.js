// The not-found page needs no behaviour beyond app.js (network banner, draft sync).
