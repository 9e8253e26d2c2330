DROP TABLE staff_requests;
ALTER TABLE dealerships DROP COLUMN internal_response_target_minutes;
