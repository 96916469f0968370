package authpolicy

// #include "shims.h"
import "C"

import (
	"encoding/json"
)

// User is a user as the engine saw it (a copy). The anonymous user has HasID false, an empty
// Username and IsAuthenticated false.
type User struct {
	ID              int64
	HasID           bool
	Username        string
	IsAuthenticated bool
	IsActive        bool
	IsStaff         bool
	IsSuperuser     bool
	// AttributesJSON holds the extra attributes set by a UserLookup or an Authenticator ("{}").
	AttributesJSON string
}

// IsAnonymous is !IsAuthenticated.
func (u *User) IsAnonymous() bool { return !u.IsAuthenticated }

// Attributes decodes AttributesJSON.
func (u *User) Attributes() (map[string]interface{}, error) {
	m := map[string]interface{}{}
	if u.AttributesJSON == "" || u.AttributesJSON == "{}" {
		return m, nil
	}
	err := json.Unmarshal([]byte(u.AttributesJSON), &m)
	return m, err
}

type userJSON struct {
	ID              *int64 `json:"id"`
	Username        string `json:"username"`
	IsAuthenticated bool   `json:"is_authenticated"`
	IsActive        bool   `json:"is_active"`
	IsStaff         bool   `json:"is_staff"`
	IsSuperuser     bool   `json:"is_superuser"`
}

func (u *User) toJSON() *userJSON {
	j := &userJSON{Username: u.Username, IsAuthenticated: u.IsAuthenticated, IsActive: u.IsActive,
		IsStaff: u.IsStaff, IsSuperuser: u.IsSuperuser}
	if u.HasID {
		id := u.ID
		j.ID = &id
	}
	return j
}

// MarshalJSON gives the user as the decision JSON shows it (id, username, flags).
func (u *User) MarshalJSON() ([]byte, error) { return json.Marshal(u.toJSON()) }

var anonymous = User{AttributesJSON: "{}"}

func readUser(p *C.authp_user) *User {
	if p == nil {
		return nil
	}
	var n C.size_t
	name := C.authp_user_username(p, &n)
	if C.authp_user_is_authenticated(p) == 0 && C.authp_user_has_id(p) == 0 && n == 0 {
		u := anonymous
		return &u
	}
	u := &User{
		Username:        goBytes(name, n),
		IsAuthenticated: C.authp_user_is_authenticated(p) != 0,
		IsActive:        C.authp_user_is_active(p) != 0,
		IsStaff:         C.authp_user_is_staff(p) != 0,
		IsSuperuser:     C.authp_user_is_superuser(p) != 0,
		AttributesJSON:  C.GoString(C.authp_user_attributes_json(p)),
	}
	if C.authp_user_has_id(p) != 0 {
		u.HasID = true
		u.ID = int64(C.authp_user_id(p))
	}
	return u
}

// Decision is the outcome of one evaluation: allowed (200) or a denial (400, 401, 403, 429,
// 503). Its fields are those of the CLI's decision JSON; json.Marshal gives exactly that JSON.
type Decision struct {
	Allowed bool
	Status  int    // 200, 400, 401, 403, 429 or 503
	Code    string // DRF's code ("not_authenticated", "permission_denied", "throttled", …); "" if allowed
	Detail  string // DRF's detail text; "" if allowed
	// Headers the host must send with a denial: WWW-Authenticate, Retry-After.
	Headers map[string]string
	// User as of the decision; nil when authentication did not run or UNAUTHENTICATED_USER is null.
	User *User
	// Auth is the auth value as JSON (e.g. {"type":"token","name":"laptop"}); nil for null.
	Auth json.RawMessage
	// Authenticator is the class that succeeded; "" if none.
	Authenticator string
	// Body is the JSON body to send with a denial: {"detail": …} or the Django package's richer
	// one (simplejwt's {"detail","code","messages"}, DOT's "required_scopes"); nil if allowed.
	Body json.RawMessage
}

// DenialBody is the body a host sends with a denial: Body, or {"detail": Detail} for a
// Decision built by hand.
func (d *Decision) DenialBody() []byte {
	if d.Body != nil {
		return d.Body
	}
	body, _ := json.Marshal(map[string]string{"detail": d.Detail})
	return body
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// MarshalJSON gives the CLI's decision JSON (authp_decision_to_json).
func (d *Decision) MarshalJSON() ([]byte, error) {
	headers := d.Headers
	if headers == nil {
		headers = map[string]string{}
	}
	var user *userJSON
	if d.User != nil {
		user = d.User.toJSON()
	}
	auth := d.Auth
	if auth == nil {
		auth = json.RawMessage("null")
	}
	body := json.RawMessage("null")
	if !d.Allowed {
		body = d.DenialBody()
	}
	return json.Marshal(struct {
		Allowed       bool              `json:"allowed"`
		Status        int               `json:"status"`
		Code          *string           `json:"code"`
		Detail        *string           `json:"detail"`
		Authenticator *string           `json:"authenticator"`
		User          *userJSON         `json:"user"`
		Auth          json.RawMessage   `json:"auth"`
		Headers       map[string]string `json:"headers"`
		Body          json.RawMessage   `json:"body"`
	}{d.Allowed, d.Status, nullable(d.Code), nullable(d.Detail), nullable(d.Authenticator), user, auth, headers, body})
}

func readDecision(p *C.authp_decision) *Decision {
	var v C.goauthp_decision_view
	C.goauthp_read_decision(p, &v)
	d := &Decision{Allowed: v.allowed != 0, Status: int(v.status)}
	if v.code != nil {
		d.Code = C.GoString(v.code)
	}
	if v.detail != nil {
		d.Detail = C.GoString(v.detail)
	}
	if !d.Allowed {
		var body *C.char
		var n C.size_t
		if C.authp_decision_body_json(&body, &n, p) == 0 {
			d.Body = json.RawMessage(C.GoStringN(body, C.int(n)))
		}
	}
	if n := int(v.header_count); n > 0 {
		d.Headers = make(map[string]string, n)
		for i := 0; i < n; i++ {
			var name, value *C.char
			if C.authp_decision_header(p, C.size_t(i), &name, &value) == 0 {
				d.Headers[C.GoString(name)] = C.GoString(value)
			}
		}
	}
	if v.authenticator != nil {
		d.Authenticator = C.GoString(v.authenticator)
	}
	if v.auth_json != nil {
		d.Auth = json.RawMessage(C.GoString(v.auth_json))
	}
	if v.has_user != 0 {
		if v.user_authenticated == 0 && v.user_has_id == 0 && v.username_len == 0 {
			u := anonymous
			d.User = &u
		} else {
			d.User = &User{
				ID: int64(v.user_id), HasID: v.user_has_id != 0, Username: goBytes(v.username, v.username_len),
				IsAuthenticated: v.user_authenticated != 0, IsActive: v.user_active != 0, IsStaff: v.user_staff != 0,
				IsSuperuser: v.user_superuser != 0, AttributesJSON: C.GoString(v.user_attributes),
			}
		}
	}
	return d
}
