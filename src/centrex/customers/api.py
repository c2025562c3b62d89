from ninja import Router

extensions_router = Router(tags=["extensions"])
