-- the extension's objects exist and carry comments
SELECT count(*) AS countries FROM channel.country;
