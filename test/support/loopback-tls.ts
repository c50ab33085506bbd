/**
 * A self-signed certificate for 127.0.0.1 and localhost (valid until 2126) with its key, for TLS
 * servers in loopback tests only; clients trust it by passing LOOPBACK_TLS.cert as `ca`.
 */
export const LOOPBACK_TLS = {
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpHExl+zR/8+pv7jn
Fm64XPjPvOWWRJeTGf6StQwqL6WhRANCAATUp4gbNOZVcHnswEgfzEWoIFGlJKGL
/n9JPTLWm37qeHYEIEav8jskeU4upwpGp7hUfZPHKtVaray5bNELZdV6
-----END PRIVATE KEY-----
`,
  cert: `-----BEGIN CERTIFICATE-----
MIIBnDCCAUGgAwIBAgIUesyk2bny5sykiXr8lv9tO8Eyb4wwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwODAwNDIzMloYDzIxMjYxMTE0
MDA0MjMyWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATUp4gbNOZVcHnswEgfzEWoIFGlJKGL/n9JPTLWm37qeHYEIEav8jsk
eU4upwpGp7hUfZPHKtVaray5bNELZdV6o28wbTAdBgNVHQ4EFgQUn022vw9p4fTn
DIB48uDA3f8m3yYwHwYDVR0jBBgwFoAUn022vw9p4fTnDIB48uDA3f8m3yYwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
zj0EAwIDSQAwRgIhAK3pl5RaXPqDpIoQxSnFa+fktYAMjHvuXzw1f63ak9s9AiEA
lQvGeTUWucUglbJPNHRFkxK6oeVCuGDsYbXeFH/0MkQ=
-----END CERTIFICATE-----
`,
};
