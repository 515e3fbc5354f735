-- 0.2.0 (issue 27): lead companies follow the letter-or-digit rule; the
-- budget refuses NaN; the timeline is 0 to 3660 days; the SLA window is at
-- most the 720 hours channel.sla_hours allows; stamps lie in 1900..2200.
ALTER TABLE channel.lead
  DROP CONSTRAINT lead_company_not_blank,
  ADD CONSTRAINT lead_company_not_blank CHECK (length(company) <= 300 AND channel.has_letter_or_digit(company)) NOT VALID,
  DROP CONSTRAINT lead_budget_not_negative,
  ADD CONSTRAINT lead_budget_not_negative CHECK (budget >= 0 AND budget <> 'NaN') NOT VALID,
  DROP CONSTRAINT lead_timeline_not_negative,
  ADD CONSTRAINT lead_timeline_days_range CHECK (timeline_days BETWEEN 0 AND 3660) NOT VALID,
  ADD CONSTRAINT lead_sla_bounded CHECK (accept_by <= routed_at + interval '720 hours') NOT VALID,
  ADD CONSTRAINT lead_times_in_range
    CHECK (created_at >= '1900-01-01 00:00:00+00' AND created_at < '2201-01-01 00:00:00+00'
           AND routed_at >= '1900-01-01 00:00:00+00' AND routed_at < '2201-01-01 00:00:00+00'
           AND accept_by >= '1900-01-01 00:00:00+00' AND accept_by < '2201-01-01 00:00:00+00'
           AND accepted_at >= '1900-01-01 00:00:00+00' AND accepted_at < '2201-01-01 00:00:00+00'
           AND closed_at >= '1900-01-01 00:00:00+00' AND closed_at < '2201-01-01 00:00:00+00') NOT VALID;
ALTER TABLE channel.lead_event
  ADD CONSTRAINT lead_event_times_in_range CHECK (at >= '1900-01-01 00:00:00+00' AND at < '2201-01-01 00:00:00+00') NOT VALID;
COMMENT ON COLUMN channel.lead.budget IS 'BANT Budget: stated budget, in the vendor''s reporting currency; finite, never negative.';
COMMENT ON COLUMN channel.lead.timeline_days IS 'BANT Timeline: days until the intended purchase, 0 to 3660.';
