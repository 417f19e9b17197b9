"""The README put into every auditor's export of the journal (Japanese, then English)."""
from __future__ import annotations

README_TEXT = """\
# madoguchi 仕訳帳（ジャーナル）監査用エクスポート / journal export for auditors

## 日本語

このファイルは、窓口の会計記録（ジャーナル）のうち指定期間の分を、監査のために取り出したものです。
各記録は前の記録のハッシュを含む鎖になっており、さらにデータベースの外にある鍵で署名されています。

### 確認のしかた

    madoguchi verify-export audit.tar --public-key 最初の公開鍵.pem

データベースも設定も使わず、このファイルだけで確認します。`--public-key` には、市から別に
受け取った公開鍵を指定してください。省略すると、このファイルの `keys/` にある公開鍵を使い、
その指紋（key id）を表示します。その指紋が市から受け取ったものと一致することを必ず確かめてください。

確認する内容:
1. 各記録のハッシュ: `entries.jsonl` の各行から `hash` を除いた項目を、キーの順に並べ空白なしの
   JSON（UTF-8）にし、その SHA-256（16進）が `hash` と一致すること。
2. 鎖: 最初の記録の `prev_hash` が `manifest.json` の `start.prev_hash` と、以後の各記録の
   `prev_hash` が一つ前の記録の `hash` と一致し、番号 `seq` が連続していること。
3. 拠点ごとの取引番号 `tx_number` と署名カウンタ `sig_counter` が、`start.counters` の値から
   1 ずつ増えていること（欠番は記録の削除を意味します）。
4. 署名: `signatures.jsonl` の署名（base64）が、`hash` の16進文字列（ASCII）に対する Ed25519 署名
   として、`key_id`（公開鍵の生の32バイトの SHA-256）の公開鍵で検証できること。鍵の交替は
   `keys/announcements.jsonl` の `key_rotated` 記録（旧鍵で署名）で新しい公開鍵が告知されます。
5. 署名のない記録は、署名装置停止中（鍵が使えなかった）であり、その理由が `unsigned_reason` にあります。

`anchors/` があれば、日々の締めで外部に残した記録の終端（アンカー）です。`madoguchi verify-journal
--anchors` の説明に従い、紙やメールで受け取った控えと照合してください。

## English

This file holds the city counter's journal for a range of business days, for audit. Each
entry carries the hash of the one before it, and is signed with a key kept outside the
database.

### How to verify

    madoguchi verify-export audit.tar --public-key first-public-key.pem

It needs no database and no settings: this file alone. Pass the public key(s) the city gave
you separately. Without `--public-key` the keys in `keys/` are used and their fingerprints
(key ids) printed: make sure they are the ones the city gave you.

What is checked:
1. Each entry's hash: the fields of its line in `entries.jsonl` other than `hash`, as JSON
   with sorted keys, no spaces, UTF-8; their SHA-256 in hex is `hash`.
2. The chain: the first entry's `prev_hash` is `start.prev_hash` in `manifest.json`, each
   later entry's `prev_hash` is the `hash` of the one before, and `seq` runs without gaps.
3. Each site's transaction number `tx_number` and signature counter `sig_counter` run on by
   one from `start.counters` (a gap means an entry was removed).
4. Signatures: each signature in `signatures.jsonl` (base64) is an Ed25519 signature of the
   entry's `hash` (its hex text, ASCII) by the public key whose fingerprint is `key_id`
   (SHA-256 of the raw 32-byte public key). A new key is announced by a `key_rotated` entry
   signed with the old one (`keys/announcements.jsonl`).
5. An unsigned entry was written while no key was usable (signing unavailable, 署名装置停止中);
   `unsigned_reason` says why.

`anchors/`, when present, holds the close-of-day anchors (the journal's head recorded outside
the database); compare them with the copies you received, as `madoguchi verify-journal
--anchors` describes.

`manifest.json` also lists the SHA-256 of every other file; the ones it lists are checked too.
"""
