DROP INDEX notifications_superseding;
