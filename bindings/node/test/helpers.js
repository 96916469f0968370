'use strict';
const ap = require('..');

const POLICY = {
  PASSWORD_ITERATIONS: 1000,
  DEFAULT_AUTHENTICATION_CLASSES: ['TokenAuthentication', 'BasicAuthentication'],
  DEFAULT_PERMISSION_CLASSES: ['IsAuthenticated'],
  VIEWS: {
    public: { permission_classes: ['AllowAny'] },
    admin: { permission_classes: ['IsAdminUser'] },
    lazy: { permission_classes: ['AllowAny'], perform_authentication: false },
    limited: { permission_classes: ['AllowAny'], throttle_classes: ['AnonRateThrottle'] },
  },
  DEFAULT_THROTTLE_RATES: { anon: '1/min' },
};

function basic(user, password) {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}

function newEngine(extra = {}, options = {}) {
  return new ap.Engine({ ...POLICY, ...extra }, options);
}

module.exports = { ap, POLICY, basic, newEngine };
