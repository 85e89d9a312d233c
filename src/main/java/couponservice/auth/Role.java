package couponservice.auth;

public enum Role {
  USER,
  ADMIN,
  SERVICE
}
