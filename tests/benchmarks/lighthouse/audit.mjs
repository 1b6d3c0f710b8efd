// Lighthouse on each URL given, on Debian's Chromium started once: one JSON line per URL and
// form factor, with the four categories' scores and every scored audit below 1.
// Usage: node audit.mjs URL [URL ...]   (CHROME_PATH names the browser)
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';

const FORM_FACTORS = [['mobile', undefined], ['desktop', desktopConfig]];

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu'],
});
try {
  for (const url of process.argv.slice(2)) {
    for (const [formFactor, config] of FORM_FACTORS) {
      const {lhr} = await lighthouse(url, {port: chrome.port, logLevel: 'error'}, config);
      const scores = Object.fromEntries(
        Object.values(lhr.categories).map(category => [category.id, category.score]));
      const below = Object.values(lhr.categories)
        .flatMap(category => category.auditRefs.filter(ref => ref.weight > 0))
        .map(ref => lhr.audits[ref.id])
        .filter(audit => audit.score !== null && audit.score < 1)
        .map(audit => ({id: audit.id, score: audit.score, shown: audit.displayValue || ''}));
      const error = lhr.runtimeError ? lhr.runtimeError.message : null;
      console.log(JSON.stringify({url, formFactor, scores, below, error}));
    }
  }
} finally {
  await chrome.kill();
}
