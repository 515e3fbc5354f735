-- 0.2.0 (issue 27): customer names follow the letter-or-digit rule; the
-- amount refuses NaN; at most 20 extensions (channel.deal_max_extensions'
-- maximum); protection at most 730 days (product_line.protection_days'
-- maximum) plus 365 per extension (channel.deal_extension_days' maximum),
-- a day of slack for daylight saving; dates and stamps lie in 1900..2200.
ALTER TABLE channel.deal
  DROP CONSTRAINT deal_customer_not_blank,
  ADD CONSTRAINT deal_customer_not_blank CHECK (length(customer_name) <= 300 AND channel.has_letter_or_digit(customer_name)) NOT VALID,
  DROP CONSTRAINT deal_amount_not_negative,
  ADD CONSTRAINT deal_amount_not_negative CHECK (amount >= 0 AND amount <> 'NaN') NOT VALID,
  DROP CONSTRAINT deal_extension_count_not_negative,
  ADD CONSTRAINT deal_extension_count_range CHECK (extension_count BETWEEN 0 AND 20) NOT VALID,
  ADD CONSTRAINT deal_protection_bounded
    CHECK (protected_until <= submitted_at + (731 + 366 * extension_count) * interval '1 day') NOT VALID,
  ADD CONSTRAINT deal_times_in_range
    CHECK (expected_close BETWEEN '1900-01-01' AND '2200-12-31'
           AND submitted_at >= '1900-01-01 00:00:00+00' AND submitted_at < '2201-01-01 00:00:00+00'
           AND decided_at >= '1900-01-01 00:00:00+00' AND decided_at < '2201-01-01 00:00:00+00'
           AND closed_at >= '1900-01-01 00:00:00+00' AND closed_at < '2201-01-01 00:00:00+00') NOT VALID;
ALTER TABLE channel.deal_event
  ADD CONSTRAINT deal_event_times_in_range CHECK (at >= '1900-01-01 00:00:00+00' AND at < '2201-01-01 00:00:00+00') NOT VALID;
COMMENT ON COLUMN channel.deal.amount IS 'Expected deal value, or the final value once won; finite, never negative.';
