module "bob" {
  source = "./modules/user"
  name   = "b${"o"}b"
}
