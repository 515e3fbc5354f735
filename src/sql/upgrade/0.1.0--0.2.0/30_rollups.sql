-- 0.2.0 (issue 27): no rollup figure is NaN; months lie in 1900..2200.
ALTER TABLE channel.partner_month
  ADD CONSTRAINT partner_month_figures_finite
    CHECK (won_revenue <> 'NaN' AND open_pipeline <> 'NaN' AND accept_hours_sum <> 'NaN'
           AND accept_hours_median <> 'NaN' AND accept_hours_p90 <> 'NaN' AND close_days_median <> 'NaN'),
  ADD CONSTRAINT partner_month_times_in_range CHECK (month BETWEEN '1900-01-01' AND '2200-12-31');
