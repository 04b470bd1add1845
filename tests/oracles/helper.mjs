// The platforms' own counting code, as a long-lived process for the differential tests.
//
// Reads one JSON array of texts per line on stdin and writes, per line, one JSON array of
// results in the same order (a line that is not an array asks for the versions). Everything is local: no agent, no network.
//   x:        twitter-text parseTweet (weightedLength, valid)
//   bluesky:  @atproto/api RichText graphemeLength, length (UTF-8 bytes) and the facets
//             of detectFacetsWithoutResolution (byte offsets and features)
//   mastodon: Mastodon's status length rule: URLs found by twitter-text's extractor
//             without bare domains count 23, a mention @user@domain counts as @user
//             (Account::MENTION_RE), the rest counts in grapheme clusters
// Usage: node tests/oracles/helper.mjs [install dir, default <project>/.oracles]
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const installed = resolve(process.argv[2] ?? join(here, '..', '..', '.oracles'))
const require = createRequire(join(installed, 'package.json'))
const twitter = require('twitter-text')
const { RichText } = await import(pathToFileURL(require.resolve('@atproto/api')).href)

const segmenter = new Intl.Segmenter()
const graphemes = (text) => {
  let n = 0
  for (const _ of segmenter.segment(text)) n++
  return n
}

// Mastodon's Account::MENTION_RE (Ruby: [[:word:]] is Unicode letters, marks, numbers
// and connector punctuation) and twitter-text's end_mention_match, which Mastodon's
// Extractor checks after each mention.
const WORD = '\\p{L}\\p{M}\\p{Nd}\\p{Pc}'
const MENTION = new RegExp(
  `(?<![=/${WORD}])@(([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@[${WORD}]+(?:[.-]+[${WORD}]+)*)?)`,
  'giu')
const LATIN_ACCENTS = 'À-ÖØ-öø-ÿĀ-ɏɓ-ɔɖ-ɗəɛɣɨɯɲʉʋʻ̀-ͯḀ-ỿ'
const END_MENTION = new RegExp(`^(?:[@＠]|[${LATIN_ACCENTS}]|://)`, 'u')
const MAX_URL_LENGTH = 4096
const MAX_DOMAIN_LENGTH = 253

function mastodonLength(text) {
  const entities = twitter.extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: false })
    .filter((e) => e.url.length <= MAX_URL_LENGTH)
    .map((e) => ({ ...e, kind: 'url' }))
  for (const match of text.matchAll(MENTION)) {
    const end = match.index + match[0].length
    if (END_MENTION.test(text.slice(end))) continue
    const [user, domain] = match[1].split('@')
    if (domain !== undefined && domain.length > MAX_DOMAIN_LENGTH) continue
    entities.push({ indices: [match.index, end], user, kind: 'mention' })
  }
  twitter.removeOverlappingEntities(entities) // sorts by start, drops overlaps, in place
  let out = ''
  let position = 0
  for (const entity of entities) {
    out += text.slice(position, entity.indices[0])
    out += entity.kind === 'url' ? 'x'.repeat(23) : `@${entity.user}`
    position = entity.indices[1]
  }
  return graphemes(out + text.slice(position))
}

function bluesky(text) {
  const rt = new RichText({ text })
  rt.detectFacetsWithoutResolution()
  return {
    graphemes: rt.graphemeLength,
    bytes: rt.length,
    facets: (rt.facets ?? []).map((f) => ({
      start: f.index.byteStart,
      end: f.index.byteEnd,
      features: f.features,
    })),
  }
}

function measure(text) {
  const tweet = twitter.parseTweet(text)
  return {
    x: { weightedLength: tweet.weightedLength, valid: tweet.valid },
    bluesky: bluesky(text),
    mastodon: mastodonLength(text),
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
for await (const line of lines) {
  if (!line.trim()) continue
  let answer
  try {
    const texts = JSON.parse(line)
    answer = Array.isArray(texts)
      ? texts.map(measure)
      : { node: process.version, unicode: process.versions.unicode }
  } catch (error) {
    answer = { error: String(error && error.stack ? error.stack : error) }
  }
  process.stdout.write(JSON.stringify(answer) + '\n')
}
