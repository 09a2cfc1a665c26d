"""Domain services, one module per noun a user would name. No request state: views and jobs share them."""
