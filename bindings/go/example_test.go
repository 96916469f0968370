package authpolicy_test

import (
	"context"
	"fmt"
	"net/http"

	authpolicy "github.com/libauthpolicy/authpolicy-go"
)

func ExampleEngine_Decide() {
	engine, err := authpolicy.NewEngine(`{"DEFAULT_AUTHENTICATION_CLASSES": ["TokenAuthentication"],
		"DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]}`, authpolicy.Options{})
	if err != nil {
		panic(err)
	}
	defer engine.Close()
	engine.Users.Add("alice", "", authpolicy.UserOptions{})
	key, _ := engine.Tokens.Create("alice", authpolicy.TokenOptions{Name: "laptop"})

	d, _ := engine.Decide(context.Background(), authpolicy.Request{Header: http.Header{"Authorization": {"Token " + key}}})
	fmt.Println(d.Allowed, d.Status, d.User.Username, string(d.Auth))
	d, _ = engine.Decide(context.Background(), authpolicy.Request{})
	fmt.Println(d.Status, d.Code, d.Detail, d.Headers["WWW-Authenticate"])
	// Output:
	// true 200 alice {"type":"token","name":"laptop"}
	// 401 not_authenticated Authentication credentials were not provided. Token
}
