from ninja import Router

auth_router = Router(tags=["auth"])
me_router = Router(tags=["me"])
users_router = Router(tags=["users"])
