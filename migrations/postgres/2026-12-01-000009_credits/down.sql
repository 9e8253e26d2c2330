DROP TABLE refunds;
DROP TABLE credits;
