// The browser's time zone (IANA name, e.g. "Europe/Berlin"), so schedules kept in UTC are shown in the viewer's time.
export function timeZone() {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}
