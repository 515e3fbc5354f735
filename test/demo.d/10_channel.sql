-- What is in the channel
\echo
\echo 'Partners by status and tier'
SELECT status,
       count(*) FILTER (WHERE tier = 'platinum') AS platinum,
       count(*) FILTER (WHERE tier = 'gold') AS gold,
       count(*) FILTER (WHERE tier = 'silver') AS silver,
       count(*) FILTER (WHERE tier = 'registered') AS registered,
       count(*) AS total
FROM channel.partner GROUP BY status ORDER BY status;

\echo 'Partners by region (active / all), with two-tier distribution'
SELECT region, count(*) FILTER (WHERE status = 'active') AS active, count(*) AS partners,
       count(*) FILTER (WHERE kind = 'distributor') AS distributors,
       count(*) FILTER (WHERE parent_id IS NOT NULL) AS resellers_via_distributor
FROM channel.partner GROUP BY region ORDER BY region;

\echo 'A few partners, in their own scripts'
SELECT DISTINCT ON (country) partner_id, name, country, tier, kind
FROM channel.partner
WHERE status = 'active' AND country IN ('FR', 'DE', 'RU', 'GR', 'JP', 'CN', 'KR', 'BR', 'US', 'TR')
ORDER BY country, partner_id;

\echo 'Certifications valid today, and expired'
SELECT product_line, count(*) FILTER (WHERE expires_on > current_date) AS valid,
       count(*) FILTER (WHERE expires_on <= current_date) AS expired
FROM channel.certification GROUP BY product_line ORDER BY product_line;

\echo 'Leads by status (24 months)'
SELECT status, count(*) AS leads, round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct
FROM channel.lead GROUP BY status ORDER BY status;

\echo 'Deal registrations by status'
SELECT status, count(*) AS deals, round(sum(amount) / 1e6, 1) AS amount_musd
FROM channel.deal GROUP BY status ORDER BY status;

\echo 'One end customer, many spellings'
SELECT customer_name, count(*) AS registrations
FROM channel.deal WHERE customer_name ILIKE '%soci%t% g%n%rale%'
GROUP BY customer_name ORDER BY registrations DESC, customer_name;
