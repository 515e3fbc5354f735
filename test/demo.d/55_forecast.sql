-- Forecast: which registrations will be won this quarter, learned from history
\echo
\echo 'Training the forecast on 24 months of registrations (channel.train_forecast()): the base rates of the largest cells and the factors'
SELECT count(*) AS model_terms FROM channel.train_forecast();
SELECT term, value, snapshots, wins, round(estimate::numeric, 3) AS estimate
FROM channel.forecast_model
WHERE term <> 'cell' OR snapshots >= (SELECT max(snapshots) / 4 FROM channel.forecast_model WHERE term = 'cell')
ORDER BY array_position(ARRAY['stage', 'cell', 'amount', 'partner', 'line'], term), snapshots DESC
LIMIT 30;

\echo 'This quarter''s expected won revenue per product line (channel.forecast()): learned vs the fixed stage weights'
SELECT coalesce(product_line, 'all lines') AS line, open_deals, round(open_amount / 1e6, 1) AS open_musd,
       round(expected_from_open / 1e6, 1) AS expected_musd, round(stage_weighted / 1e6, 1) AS stage_weighted_musd,
       round(won_so_far / 1e6, 1) AS won_so_far_musd, round(expected_won / 1e6, 1) AS expected_won_musd
FROM channel.forecast()
WHERE level IN ('line', 'total')
ORDER BY level = 'total', product_line;

\echo 'Why: the five largest open registrations and the terms of their probability (channel.forecast_deals())'
SELECT deal_id, partner_id, product_line, round(amount / 1e3) AS amount_k, stage, age_band, close_band, partner_band,
       round(base_rate::numeric, 3) AS base, round(amount_factor::numeric, 2) AS x_amount,
       round(partner_factor::numeric, 2) AS x_partner, round(line_factor::numeric, 2) AS x_line,
       round(probability::numeric, 3) AS p, round(stage_weight::numeric, 1) AS stage_w
FROM channel.forecast_deals()
ORDER BY amount DESC, deal_id LIMIT 5;

\echo 'Backtest: the last four quarters replayed from their first day (channel.forecast_accuracy()): error against what was won'
SELECT coalesce(product_line, 'all lines') AS line, quarters_replayed,
       round((100 * forecast_mape)::numeric, 1) AS learned_mape_pct, round((100 * forecast_bias)::numeric, 1) AS learned_bias_pct,
       round((100 * stage_mape)::numeric, 1) AS stage_mape_pct, round((100 * stage_bias)::numeric, 1) AS stage_bias_pct
FROM channel.forecast_accuracy(4);
