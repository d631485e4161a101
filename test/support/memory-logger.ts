export { captureLogs, type CapturedLogs } from '../../src/testing/captured-logs.js';
