"""The fixed cast builds through the actions, on either database."""

from __future__ import annotations

from centrex.accounts.models import User


def test_the_cast_is_communicator_enabled(alice: User, bob: User, carla: User, dario: User) -> None:
    assert [u.communicator_enabled for u in (alice, bob, carla, dario)] == [True] * 4
    assert alice.customer != carla.customer
    assert User.objects.visible_to(alice).count() == 2
