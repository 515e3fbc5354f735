-- 10_company: &&~ gives the same answer on every plan (issue 27, item 6):
-- a word key's two forms are one key, and the GIN operator class indexes
-- and looks up both forms of every word key.  Rows whose keys
-- company_match_keys made carry both forms already, so their index entries
-- are unchanged.

COMMENT ON FUNCTION channel.company_keys_meet(text[], text[]) IS
  'True when a key of one array meets a key of the other: equal keys, word keys of the same head within one typo (a letter replaced, inserted or dropped, or two neighbours swapped; w: holds the word, r: the same word reversed, so w:abc and r:cba are one key), an acronym (a:) and the same letters as initials (i:) -- but never two initials. Symmetric. The function of the operator &&~, which gives this answer on every plan.';
COMMENT ON FUNCTION channel.company_keys_extract_value(text[], internal, internal) IS
  'GIN support of channel.company_keys_ops: the index entries of a key array (its non-null keys, and both forms, w: and r:, of every word key).';
COMMENT ON FUNCTION channel.company_keys_extract_query(text[], internal, int2, internal, internal, internal, internal) IS
  'GIN support of channel.company_keys_ops: the entries a query key array looks up (both forms of every word key, each a partial match from its first half).';
