DROP TABLE ro_delegates;
DROP TABLE staff_delegates;
DROP TABLE staff_time_off;
DROP TABLE staff_shifts;
