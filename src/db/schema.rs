//! Diesel's view of the tables in migrations/{sqlite,postgres}. Both stores
//! share one schema; only the SQL that creates it differs where it must.

diesel::table! {
    dealerships (id) {
        id -> Text,
        name -> Text,
        timezone -> Text,
        country -> Text,
        phone -> Text,
        sms_from -> Nullable<Text>,
        email_from -> Nullable<Text>,
        tax_rate_bp -> Integer,
        quiet_start -> Text,
        quiet_end -> Text,
        min_handover_minutes -> Integer,
        response_target_minutes -> Integer,
        next_ro_number -> BigInt,
        created_at -> Timestamp,
        taxable_kinds -> Text,
        shop_supplies_bp -> Integer,
        shop_supplies_cap_cents -> BigInt,
        address -> Nullable<Text>,
        opening_hours -> Text,
        currency -> Text,
        glossary -> Text,
        internal_response_target_minutes -> Integer,
    }
}

diesel::table! {
    staff (id) {
        id -> Text,
        dealership_id -> Text,
        name -> Text,
        role -> Text,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        token_hash -> Text,
        presence -> Text,
        presence_since -> Nullable<Timestamp>,
        break_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        active -> Bool,
        deactivated_at -> Nullable<Timestamp>,
        password_hash -> Nullable<Text>,
    }
}

diesel::table! {
    staff_invitations (token_hash) {
        token_hash -> Text,
        staff_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    desk_sessions (id_hash) {
        id_hash -> Text,
        staff_id -> Text,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    sign_in_failures (id) {
        id -> Text,
        key -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    presence_events (id) {
        id -> Text,
        dealership_id -> Text,
        staff_id -> Text,
        kind -> Text,
        at -> Timestamp,
        recorded_by -> Text,
        forced -> Bool,
    }
}

diesel::table! {
    customers (id) {
        id -> Text,
        dealership_id -> Text,
        name -> Text,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        language -> Text,
        sms_consent_at -> Nullable<Timestamp>,
        sms_consent_method -> Nullable<Text>,
        created_at -> Timestamp,
        notify_by -> Text,
    }
}

diesel::table! {
    repair_orders (id) {
        id -> Text,
        dealership_id -> Text,
        number -> BigInt,
        customer_id -> Text,
        advisor_id -> Text,
        status -> Text,
        version -> BigInt,
        promised_at -> Timestamp,
        vin -> Text,
        vehicle_year -> Nullable<Integer>,
        vehicle_make -> Nullable<Text>,
        vehicle_model -> Nullable<Text>,
        vehicle_plate -> Nullable<Text>,
        vehicle_mileage -> Nullable<Integer>,
        estimate_version -> Integer,
        handover_staff_id -> Nullable<Text>,
        handover_until -> Nullable<Timestamp>,
        handover_recorded_at -> Nullable<Timestamp>,
        handover_recorded_by -> Nullable<Text>,
        ready_when_available -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        link_version -> Integer,
        tax_rate_bp -> Integer,
        taxable_kinds -> Text,
        shop_supplies_bp -> Integer,
        shop_supplies_cap_cents -> BigInt,
        discount_cents -> BigInt,
        status_token_hash -> Nullable<Text>,
    }
}

diesel::table! {
    concerns (id) {
        id -> Text,
        ro_id -> Text,
        position -> Integer,
        description -> Text,
        outcome -> Nullable<Text>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    estimate_lines (id) {
        id -> Text,
        ro_id -> Text,
        job_id -> Text,
        position -> Integer,
        estimate_version -> Integer,
        description -> Text,
        kind -> Text,
        quantity_hundredths -> BigInt,
        unit_price_cents -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    repair_jobs (id) {
        id -> Text,
        ro_id -> Text,
        position -> Integer,
        estimate_version -> Integer,
        title -> Text,
        concern_id -> Nullable<Text>,
        pay_type -> Text,
        approval -> Text,
        discount_cents -> BigInt,
        decided_at -> Nullable<Timestamp>,
        decided_via -> Nullable<Text>,
        decided_ip -> Nullable<Text>,
        decided_user_agent -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    payments (id) {
        id -> Text,
        ro_id -> Text,
        amount_cents -> BigInt,
        method -> Text,
        reference -> Nullable<Text>,
        recorded_by -> Nullable<Text>,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    ro_events (id) {
        id -> Text,
        ro_id -> Text,
        at -> Timestamp,
        actor_kind -> Text,
        actor_id -> Nullable<Text>,
        kind -> Text,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        detail -> Text,
    }
}

diesel::table! {
    idempotency_keys (scope, key) {
        scope -> Text,
        key -> Text,
        request_hash -> Text,
        status -> Integer,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        dealership_id -> Text,
        ro_id -> Nullable<Text>,
        dedupe_key -> Text,
        kind -> Text,
        recipient_kind -> Text,
        recipient_staff_id -> Nullable<Text>,
        channel -> Text,
        to_address -> Text,
        from_address -> Nullable<Text>,
        reply_to -> Nullable<Text>,
        subject -> Nullable<Text>,
        body_text -> Text,
        body_html -> Nullable<Text>,
        language -> Text,
        context -> Text,
        routine -> Bool,
        supersede_key -> Nullable<Text>,
        fallback_of -> Nullable<Text>,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_at -> Nullable<Timestamp>,
        lease_until -> Nullable<Timestamp>,
        recheck_since -> Nullable<Timestamp>,
        provider_id -> Nullable<Text>,
        provider_status -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notification_events (id) {
        id -> Text,
        notification_id -> Text,
        at -> Timestamp,
        state -> Text,
        provider_status -> Nullable<Text>,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    provider_callbacks (id) {
        id -> Text,
        provider_id -> Text,
        status -> Text,
        error_code -> Nullable<Text>,
        received_at -> Timestamp,
    }
}

diesel::table! {
    sms_opt_outs (dealership_id, phone) {
        dealership_id -> Text,
        phone -> Text,
        opted_out_at -> Timestamp,
        keyword -> Text,
    }
}

diesel::table! {
    messages (id) {
        id -> Text,
        dealership_id -> Text,
        ro_id -> Nullable<Text>,
        direction -> Text,
        channel -> Text,
        from_address -> Nullable<Text>,
        staff_id -> Nullable<Text>,
        body -> Text,
        provider_id -> Nullable<Text>,
        at -> Timestamp,
        answered_at -> Nullable<Timestamp>,
        escalated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    jobs (id) {
        id -> Text,
        dealership_id -> Text,
        ro_id -> Nullable<Text>,
        kind -> Text,
        dedupe_key -> Text,
        due_at -> Timestamp,
        state -> Text,
        attempts -> Integer,
        lease_until -> Nullable<Timestamp>,
        payload -> Text,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    staff_shifts (id) {
        id -> Text,
        staff_id -> Text,
        weekday -> Integer,
        starts -> Text,
        ends -> Text,
    }
}

diesel::table! {
    staff_time_off (id) {
        id -> Text,
        staff_id -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    staff_delegates (staff_id, position) {
        staff_id -> Text,
        position -> Integer,
        delegate_id -> Text,
    }
}

diesel::table! {
    ro_delegates (ro_id, position) {
        ro_id -> Text,
        position -> Integer,
        delegate_id -> Text,
    }
}

diesel::table! {
    service_secrets (name) {
        name -> Text,
        value -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(staff -> dealerships (dealership_id));
diesel::joinable!(desk_sessions -> staff (staff_id));
diesel::joinable!(notification_events -> notifications (notification_id));
diesel::joinable!(repair_orders -> customers (customer_id));
diesel::joinable!(concerns -> repair_orders (ro_id));
diesel::joinable!(estimate_lines -> repair_orders (ro_id));
diesel::joinable!(repair_jobs -> repair_orders (ro_id));
diesel::joinable!(payments -> repair_orders (ro_id));
diesel::joinable!(ro_events -> repair_orders (ro_id));

diesel::table! {
    checkout_sessions (id) {
        id -> Text,
        ro_id -> Text,
        amount_cents -> BigInt,
        currency -> Text,
        url -> Text,
        state -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    stripe_events (id) {
        id -> Text,
        kind -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    credits (id) {
        id -> Text,
        ro_id -> Text,
        amount_cents -> BigInt,
        reason -> Text,
        corrected_tax_rate_bp -> Nullable<Integer>,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    refunds (id) {
        id -> Text,
        credit_id -> Text,
        ro_id -> Text,
        payment_id -> Text,
        method -> Text,
        amount_cents -> BigInt,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        reference -> Nullable<Text>,
        refunded_by -> Nullable<Text>,
        refunded_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    staff_requests (id) {
        id -> Text,
        dealership_id -> Text,
        ro_id -> Nullable<Text>,
        asked_by -> Text,
        to_staff_id -> Nullable<Text>,
        to_role -> Nullable<Text>,
        routed_to -> Text,
        routed_role -> Text,
        waiting -> Bool,
        expected_at -> Nullable<Timestamp>,
        skipped -> Text,
        body -> Text,
        blocking -> Bool,
        status -> Text,
        due_at -> Timestamp,
        created_at -> Timestamp,
        acknowledged_at -> Nullable<Timestamp>,
        answered_at -> Nullable<Timestamp>,
        answered_by -> Nullable<Text>,
        answer -> Nullable<Text>,
        answer_sid -> Nullable<Text>,
        escalated_at -> Nullable<Timestamp>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    dealerships,
    staff,
    presence_events,
    customers,
    repair_orders,
    concerns,
    estimate_lines,
    repair_jobs,
    payments,
    ro_events,
    idempotency_keys,
    notifications,
    notification_events,
    provider_callbacks,
    sms_opt_outs,
    messages,
    jobs,
    staff_shifts,
    staff_time_off,
    staff_delegates,
    ro_delegates,
    service_secrets,
    staff_invitations,
    desk_sessions,
    sign_in_failures,
    checkout_sessions,
    stripe_events,
    credits,
    refunds,
    staff_requests,
);
